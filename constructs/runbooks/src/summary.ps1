# --- Summary: the one JSON document on Output -----------------------------------------------------

function New-RunSummary {
    <# The summary before the run: one vault's, or a fleet's (totals, the overall outcome, one section per vault). #>
    param([hashtable] $Given, [hashtable] $Run)
    $action = if ($Run.Action) { $Run.Action } else { $Given.AutoUpdateAction }
    if (-not $Run.Fleet) {
        return [ordered]@{
            schemaVersion  = $SummarySchemaVersion
            runbookVersion = $RunbookVersion
            vault          = $Given.VaultResourceId
            action         = $action
            providers      = $Run.Providers
            dryRun         = [bool] $Given.DryRun
            outcome        = $null
            message        = $null
            counts         = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
            mappings       = @()
            agents         = $null
        }
    }
    $summary = [ordered]@{
        schemaVersion  = $SummarySchemaVersion
        runbookVersion = $RunbookVersion
        vaults         = @($Run.VaultList)
        action         = $action
        providers      = $Run.Providers
        dryRun         = [bool] $Given.DryRun
        outcome        = $null
        message        = $null
        discovery      = $null
        vaultOutcomes  = [ordered]@{}
        counts         = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
        agentCounts    = [ordered]@{}
        lists          = $null
        sections       = @()
    }
    if ($Run.VaultList.Count -eq 0 -and $Given.VaultResourceIds) { $summary.vaults = @(($Given.VaultResourceIds -split ',') | ForEach-Object { $_.Trim() }) }
    if ($Run.Discover) {
        $summary.discovery = [ordered]@{
            state = 'NotRun'; subscriptions = @($Run.DiscoverySubscriptions); managementGroup = $(if ($Given.DiscoveryManagementGroupId) { $Given.DiscoveryManagementGroupId } else { $null })
            tag = $(if ($Given.DiscoveryTag) { $Given.DiscoveryTag } else { $null }); pages = 0; found = 0; excluded = 0; alreadyListed = 0; message = $null
        }
    }
    foreach ($st in $AgentStatuses) { $summary.agentCounts[$st] = 0 }
    return $summary
}

function Complete-Run {
    <# Writes the one JSON document (or the one a fleet already fitted to its budget) and throws for every outcome that is not a success. #>
    param($Summary, [string] $Outcome, [string] $Message, [string] $Json)
    $Summary.outcome = $Outcome
    $Summary.message = $Message
    if (-not $Json) { $Json = $Summary | ConvertTo-Json -Depth 12 -Compress }
    Write-Output $Json
    if (@('Succeeded', 'NoChange', 'DryRun') -notcontains $Outcome) {
        Write-Error -Message "Outcome ${Outcome}: $Message" -ErrorAction Continue
        throw "Set-AsrMobilityAutoUpdate ended with outcome ${Outcome}: $Message"
    }
}

function New-VaultSection {
    <# A section for a vault that was not reconciled (not started, or an unexpected error). #>
    param($Ctx, [string] $VaultId, [string] $Outcome, [string] $Message, [string] $AgentMessage)
    $agents = New-AgentReport -Ctx $Ctx -State 'NotRead'
    $agents.message = $AgentMessage
    return [ordered]@{
        vault = $VaultId; outcome = $Outcome; message = $Message
        counts = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
        mappings = @(); agents = $agents
    }
}

function Get-FleetOutcome {
    <#
    The job's outcome from its vaults' outcomes: Failed when no vault succeeded; PartiallyFailed when some
    did and others failed; TimedOut when some did and the others only timed out or were not started;
    otherwise the most severe success (ReportFailed, AgentsNeedAttention, Succeeded, DryRun, NoChange).
    A discovery that failed counts as a failure.
    #>
    param($VaultOutcomes, [bool] $DiscoveryFailed)
    $ok = @('ReportFailed', 'AgentsNeedAttention', 'Succeeded', 'DryRun', 'NoChange')
    $count = { param($names) [int] (@($names | ForEach-Object { [int] $VaultOutcomes[$_] }) | Measure-Object -Sum).Sum }
    $succeeded = & $count $ok
    $failed = (& $count @('Failed', 'PartiallyFailed')) + $(if ($DiscoveryFailed) { 1 } else { 0 })
    $stopped = & $count @('TimedOut', 'NotStarted')
    if ($failed + $stopped -gt 0) {
        if ($succeeded -eq 0) { return 'Failed' }
        if ($failed -gt 0) { return 'PartiallyFailed' }
        return 'TimedOut'
    }
    foreach ($o in $ok) { if ([int] $VaultOutcomes[$o] -gt 0) { return $o } }
    return 'NoChange'
}

function ConvertTo-FleetSections {
    <#
    The summary's view of the sections: complete counts per vault; the mappings that were not already
    in order and the machines, each list capped over the whole job, most severe first.
    #>
    param($Sections, [int] $MappingCap, [int] $MachineCap)
    $resultRank = @{ Failed = 0; TimedOut = 1; Planned = 2; WouldUpdate = 3; Succeeded = 4 }
    $statusRank = @{}
    for ($i = 0; $i -lt $AgentStatuses.Count; $i++) { $statusRank[$AgentStatuses[$i]] = $i }
    $mappingPicks = [Collections.Generic.List[object]]::new()
    $machinePicks = [Collections.Generic.List[object]]::new()
    for ($s = 0; $s -lt $Sections.Count; $s++) {
        foreach ($m in @($Sections[$s].mappings)) { if ($resultRank.ContainsKey([string] $m.result)) { $mappingPicks.Add(@($resultRank[[string] $m.result], $s, $m)) } }
        if ($null -ne $Sections[$s].agents) { foreach ($a in @($Sections[$s].agents.machines)) { if ($null -ne $a) { $machinePicks.Add(@($statusRank[[string] $a.status], $s, $a)) } } }
    }
    $keptMappings = @($mappingPicks | Sort-Object -Stable -Property { $_[0] } | Select-Object -First $MappingCap)
    $keptMachines = @($machinePicks | Sort-Object -Stable -Property { $_[0] } | Select-Object -First $MachineCap)
    $mappingsOf = @{}
    foreach ($k in $keptMappings) { if (-not $mappingsOf.ContainsKey($k[1])) { $mappingsOf[$k[1]] = [Collections.Generic.List[object]]::new() }; $mappingsOf[$k[1]].Add($k[2]) }
    $machinesOf = @{}
    foreach ($k in $keptMachines) { if (-not $machinesOf.ContainsKey($k[1])) { $machinesOf[$k[1]] = [Collections.Generic.List[object]]::new() }; $machinesOf[$k[1]].Add($k[2]) }
    $out = for ($s = 0; $s -lt $Sections.Count; $s++) {
        $x = $Sections[$s]
        $agents = $null
        if ($null -ne $x.agents) {
            $agents = [ordered]@{
                state = $x.agents.state; protectedItems = $x.agents.protectedItems; otherProviders = $x.agents.otherProviders
                needAttention = $x.agents.needAttention; counts = $x.agents.counts; message = $x.agents.message
                machines = @(if ($machinesOf.ContainsKey($s)) { foreach ($a in $machinesOf[$s]) { [ordered]@{ name = $a.name; provider = $a.provider; agentVersion = $a.agentVersion; status = $a.status; reasons = @($a.reasons) } } })
            }
        }
        [ordered]@{
            vault = $x.vault; outcome = $x.outcome; message = $x.message; durationSeconds = $x.durationSeconds; counts = $x.counts
            mappings = @(if ($mappingsOf.ContainsKey($s)) { foreach ($m in $mappingsOf[$s]) { [ordered]@{ id = $m.id; provider = $m.provider; result = $m.result; reason = $m.reason; operationStatus = $m.operationStatus; errorCode = $m.errorCode; errorMessage = $m.errorMessage; requestId = $m.requestId; attempts = $m.attempts } } })
            agents = $agents
        }
    }
    return @{
        Sections = @($out)
        Lists = [ordered]@{
            mappings = [ordered]@{ listed = $keptMappings.Count; notInOrder = $mappingPicks.Count; truncated = $keptMappings.Count -lt $mappingPicks.Count }
            machines = [ordered]@{ listed = $keptMachines.Count; read = $machinePicks.Count; truncated = $keptMachines.Count -lt $machinePicks.Count }
        }
    }
}

function Complete-FleetRun {
    <#
    The fleet's one JSON document, within the byte budget: the lists are cut, least severe entries first,
    until it fits; the counts stay complete. Written by Complete-Run.
    #>
    param($Summary, $Sections, [string] $Outcome, [string] $Message, [int] $MachineCap)
    $Summary.outcome = $Outcome
    $Summary.message = $Message
    $mappingCap = $MaxFleetMappingsListed
    for ($round = 0; $round -lt 24; $round++) {
        $view = ConvertTo-FleetSections -Sections $Sections -MappingCap $mappingCap -MachineCap $MachineCap
        $Summary.sections = $view.Sections
        $Summary.lists = $view.Lists
        $json = $Summary | ConvertTo-Json -Depth 12 -Compress
        $bytes = [Text.Encoding]::UTF8.GetByteCount($json)
        if ($bytes -le $SummaryByteBudget -or ($mappingCap -eq 0 -and $MachineCap -eq 0)) { break }
        Write-Verbose "The summary is $bytes bytes, over its budget of ${SummaryByteBudget}: listing fewer mappings and machines (the counts stay complete)."
        if ($MachineCap -ge $mappingCap) { $MachineCap = [int] [Math]::Floor($MachineCap / 2) } else { $mappingCap = [int] [Math]::Floor($mappingCap / 2) }
    }
    Complete-Run -Summary $Summary -Outcome $Outcome -Message $Message -Json $json
}

function Complete-FleetJob {
    <# The fleet's totals and overall outcome from its sections (one for every vault, in order), its rows sent, the one JSON document. #>
    param($Ctx, $Summary, $VaultList, $Sections, [bool] $DiscoveryFailed, [int] $MachineCap)
    # Every vault has its section, in the order of the job: one without a result says so.
    $all = [Collections.Generic.List[object]]::new()
    for ($i = 0; $i -lt $VaultList.Count; $i++) {
        $section = $Sections[$i]
        if ($null -eq $section) {
            $section = New-VaultSection -Ctx $Ctx -VaultId $VaultList[$i] -Outcome 'NotStarted' -Message 'Not started: no result came back before the job ended. A rerun is safe.' -AgentMessage 'The agent report was not read: the vault was not started.'
            $section.durationSeconds = 0
        }
        $all.Add($section)
    }
    foreach ($section in $all) {
        $Summary.vaultOutcomes[$section.outcome] = 1 + [int] $Summary.vaultOutcomes[$section.outcome]
        foreach ($k in @($Summary.counts.Keys)) { $Summary.counts[$k] += $section.counts[$k] }
        if ($null -ne $section.agents) { foreach ($st in $AgentStatuses) { $Summary.agentCounts[$st] += $section.agents.counts[$st] } }
    }
    $overall = Get-FleetOutcome -VaultOutcomes $Summary.vaultOutcomes -DiscoveryFailed $DiscoveryFailed
    $byOutcome = @($Summary.vaultOutcomes.Keys | ForEach-Object { "$($Summary.vaultOutcomes[$_]) $_" }) -join ', '
    $message = "$($all.Count) vault(s)$(if ($byOutcome) { ": $byOutcome" })."
    if ($DiscoveryFailed) { $message = "$message Discovery $($Summary.discovery.state): $($Summary.discovery.message)" }
    if ($all.Count -eq 0) { Write-Warning 'No vault in scope: nothing to reconcile.'; $message = "No vault in scope. $message" }
    $final = Send-IngestionRows -Ctx $Ctx -Summary $Summary -Sections @($all) -Outcome $overall -Message $message
    Complete-FleetRun -Summary $Summary -Sections $all -Outcome $final.Outcome -Message $final.Message -MachineCap $MachineCap
}
