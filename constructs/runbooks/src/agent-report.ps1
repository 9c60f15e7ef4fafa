# --- Agent report (read-only): the same rules as classifyAgent in constructs/domain/agent-status.ts ----
# Both are tested against one case table (test/fixtures/agent-status-cases.json): change them together.

$AgentStatuses = @('OutOfSupport', 'Blocked', 'SupportExpiring', 'NeedsReboot', 'UpdatePending', 'Current', 'Unknown')
$NonBlockingUpgradeReasons = @('AlreadyOnLatestVersion', 'RebootRequired')
$AttentionStatuses = @('OutOfSupport', 'Blocked')

function Test-PresentText {
    param($Value)
    return ($Value -is [string]) -and ($Value.Trim() -ne '')
}

function Compare-AgentVersion {
    <# -1, 0 or 1 for two dotted numeric versions (missing segments count as 0); $null when either is not one. #>
    param([string] $A, [string] $B)
    $pa = $null; $pb = $null
    if ($A.Trim() -match '\A\d+(\.\d+)*\z') { $pa = @($A.Trim().Split('.') | ForEach-Object { [double] $_ }) }
    if ($B.Trim() -match '\A\d+(\.\d+)*\z') { $pb = @($B.Trim().Split('.') | ForEach-Object { [double] $_ }) }
    if ($null -eq $pa -or $null -eq $pb) { return $null }
    for ($i = 0; $i -lt [Math]::Max($pa.Count, $pb.Count); $i++) {
        $x = if ($i -lt $pa.Count) { $pa[$i] } else { 0 }
        $y = if ($i -lt $pb.Count) { $pb[$i] } else { 0 }
        if ($x -ne $y) { return [Math]::Sign($x - $y) }
    }
    return 0
}

function ConvertTo-UtcInstant {
    <# A date as Site Recovery sends it (ConvertFrom-Json may already have made it a DateTime); $null when it is none. #>
    param($Value)
    if ($Value -is [DateTime]) {
        if ($Value.Kind -eq [DateTimeKind]::Unspecified) { return [DateTimeOffset]::new([DateTime]::SpecifyKind($Value, [DateTimeKind]::Utc)) }
        return [DateTimeOffset]::new($Value.ToUniversalTime())
    }
    if ($Value -is [DateTimeOffset]) { return $Value.ToUniversalTime() }
    if (Test-PresentText $Value) {
        $parsed = [DateTimeOffset]::MinValue
        if ([DateTimeOffset]::TryParse($Value.Trim(), [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AssumeUniversal, [ref] $parsed)) { return $parsed.ToUniversalTime() }
    }
    return $null
}

function Get-ReinstallReason {
    <#
    The reasons of a reinstall Site Recovery requires: blocked:ReinstallRequired, then what blocks the
    reinstall and the reinstall it triggered. Each may be one string or a list (InMageRcm
    agentReinstallState was a list before api-version 2026-02-01, one value since).
    #>
    param($BlockedBy, $Triggered)
    $out = [Collections.Generic.List[string]]::new()
    $out.Add('blocked:ReinstallRequired')
    foreach ($r in @($BlockedBy)) { if (Test-PresentText $r) { $out.Add("reinstallBlocked:$(([string] $r).Trim())") } }
    foreach ($t in @($Triggered)) { if (Test-PresentText $t) { $out.Add("reinstallTriggered:$(([string] $t).Trim())") } }
    return , $out.ToArray()
}

function Get-AgentVerdict {
    <#
    One agent's status and reasons from Site Recovery's facts only (no version table). $Details is the
    protected item's providerSpecificDetails; every finding is listed in reasons, in severity order,
    and the status is the most severe of them.
    #>
    param([string] $Provider, $Details, [DateTimeOffset] $Now, [int] $WindowDays)
    $found = [ordered]@{}
    foreach ($s in $AgentStatuses) { $found[$s] = [Collections.Generic.List[string]]::new() }
    $known = $false
    $expiry = if ($Provider -ceq 'A2A') { $Details.agentExpiryDate } elseif ($null -ne $Details.mobilityAgentDetails) { $Details.mobilityAgentDetails.agentVersionExpiryDate } else { $null }
    $at = ConvertTo-UtcInstant $expiry
    if ($null -ne $at) {
        $known = $true
        $date = $at.ToString('yyyy-MM-dd', [Globalization.CultureInfo]::InvariantCulture)
        if ($at -le $Now) { $found.OutOfSupport.Add("expired:$date") }
        elseif (($at - $Now).TotalMilliseconds -le $WindowDays * 86400000.0) { $found.SupportExpiring.Add("expires:$date") }
    }
    if ($Provider -ceq 'A2A') {
        if (Test-PresentText $Details.agentVersion) { $known = $true }
        $update = $Details.isReplicationAgentUpdateRequired
        $certificate = $Details.isReplicationAgentCertificateUpdateRequired
        if ($update -is [bool] -and $update) { $found.UpdatePending.Add('agentUpdateRequired') }
        if ($certificate -is [bool] -and $certificate) { $found.UpdatePending.Add('certificateUpdateRequired') }
        if (($update -is [bool] -and -not $update) -or ($certificate -is [bool] -and -not $certificate)) { $known = $true }
        # An upgrade under way is pending, never blocked (api-version 2025-08-01 and later say so).
        if ($Details.isAgentUpgradeInProgress -is [bool] -and $Details.isAgentUpgradeInProgress) {
            $known = $true
            $found.UpdatePending.Add('upgradeInProgress')
        } else {
            if ($Details.isAgentUpgradeRetryThresholdExhausted -is [bool] -and $Details.isAgentUpgradeRetryThresholdExhausted) {
                $count = $Details.autoAgentUpgradeRetryCount
                $found.Blocked.Add("blocked:UpgradeGaveUpAfterRetries$(if ($count -is [int] -or $count -is [long]) { ":$count" })")
            }
            if ($Details.isAgentReinstallRequired -is [bool] -and $Details.isAgentReinstallRequired) {
                foreach ($r in (Get-ReinstallReason $Details.reasonsBlockingReInstall $null)) { $found.Blocked.Add($r) }
            }
        }
    } else {
        $d = $Details.mobilityAgentDetails
        $version = if ($null -ne $d) { $d.version } else { $null }
        $latest = if ($null -ne $d) { $d.latestVersion } else { $null }
        $withoutReboot = if ($null -ne $d) { $d.latestUpgradableVersionWithoutReboot } else { $null }
        $reasons = @(if ($null -ne $d -and $null -ne $d.reasonsBlockingUpgrade) { $d.reasonsBlockingUpgrade | ForEach-Object { [string] $_ } })
        # agentUpgradeState (MobilityAgentUpgradeState: None, Started, Completed, Commit) of an upgrade under way.
        $upgrading = (Test-PresentText $Details.agentUpgradeState) -and (@('Started', 'Commit') -ccontains [string] $Details.agentUpgradeState)
        if (Test-PresentText $version) { $known = $true }
        if ($reasons.Count -gt 0) { $known = $true }
        if (-not $upgrading) {
            foreach ($reason in $reasons) { if ($NonBlockingUpgradeReasons -cnotcontains $reason -and $reason -cne 'ReInstallRequired') { $found.Blocked.Add("blocked:$reason") } }
            foreach ($e in @($Details.agentUpgradeBlockingErrorDetails | Where-Object { $null -ne $_ })) {
                $found.Blocked.Add("blocked:$(if (Test-PresentText $e.errorCode) { $e.errorCode } else { 'UpgradeError' })")
            }
            if (($null -ne $d -and $d.isAgentReinstallRequired -is [bool] -and $d.isAgentReinstallRequired) -or $reasons -ccontains 'ReInstallRequired') {
                foreach ($r in (Get-ReinstallReason $d.reasonsBlockingReinstall $d.agentReinstallState)) { $found.Blocked.Add($r) }
            }
        }
        $behind = (Test-PresentText $version) -and (Test-PresentText $latest) -and ((Compare-AgentVersion $version $latest) -eq -1)
        $atRebootStep = $behind -and (Test-PresentText $withoutReboot) -and ((Compare-AgentVersion $version $withoutReboot) -eq 0)
        if ($reasons -ccontains 'RebootRequired' -or $atRebootStep) { $found.NeedsReboot.Add('rebootRequired') }
        elseif ($behind -and $found.Blocked.Count -eq 0) {
            # A blocked machine's pending update is already explained by what blocks it.
            if ($d.isUpgradeable -is [string] -and $d.isUpgradeable -ceq 'false' -and -not $upgrading) { $found.Blocked.Add('blocked:NotUpgradeable') }
            else { $found.UpdatePending.Add("latest:$latest") }
        }
        if ($upgrading) { $found.UpdatePending.Add('upgradeInProgress') }
    }
    $all = @(foreach ($s in $AgentStatuses) { $found[$s] })
    foreach ($s in $AgentStatuses) {
        if ($found[$s].Count -gt 0) { return [ordered]@{ status = $s; reasons = $all } }
    }
    if ($known) { return [ordered]@{ status = 'Current'; reasons = @() } }
    return [ordered]@{ status = 'Unknown'; reasons = @('noAgentFacts') }
}

function ConvertTo-FactValue {
    <# A fact as the summary shows it: dates in ISO 8601 UTC, everything else as read. #>
    param($Value)
    if ($Value -is [DateTime] -or $Value -is [DateTimeOffset]) { return (ConvertTo-UtcInstant $Value).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture) }
    return $Value
}

function Get-AgentMachine {
    <# One protected item's entry in the report: who it is, the facts read, and the verdict. #>
    param($Item, [string] $Provider, $Ctx)
    $details = $Item.properties.providerSpecificDetails
    $name = [string] $Item.properties.friendlyName
    if (-not $name) { $name = [string] $Item.name }
    $facts = [ordered]@{}
    if ($Provider -ceq 'A2A') {
        $version = $details.agentVersion
        foreach ($f in @('agentVersion', 'agentExpiryDate', 'isReplicationAgentUpdateRequired', 'isReplicationAgentCertificateUpdateRequired')) { $facts[$f] = ConvertTo-FactValue $details.$f }
    } else {
        $d = $details.mobilityAgentDetails
        $version = if ($null -ne $d) { $d.version } else { $null }
        $mobility = $null
        if ($null -ne $d) {
            $mobility = [ordered]@{}
            foreach ($f in @('version', 'latestVersion', 'agentVersionExpiryDate', 'isUpgradeable', 'latestUpgradableVersionWithoutReboot')) { $mobility[$f] = ConvertTo-FactValue $d.$f }
            $mobility.reasonsBlockingUpgrade = @($d.reasonsBlockingUpgrade | Where-Object { $null -ne $_ } | ForEach-Object { [string] $_ })
        }
        $facts.mobilityAgentDetails = $mobility
        $facts.agentUpgradeState = $details.agentUpgradeState
        $facts.agentUpgradeBlockingErrorDetails = @($details.agentUpgradeBlockingErrorDetails | Where-Object { $null -ne $_ } | ForEach-Object { [ordered]@{ errorCode = $_.errorCode; errorMessage = $_.errorMessage } })
    }
    $verdict = Get-AgentVerdict -Provider $Provider -Details $details -Now $Ctx.ReportTime -WindowDays $Ctx.ExpiringWithinDays
    return [ordered]@{
        name = $name; id = [string] $Item.id; provider = $Provider; agentVersion = ConvertTo-FactValue $version
        status = $verdict.status; reasons = @($verdict.reasons); facts = $facts
    }
}

function New-AgentReport {
    param($Ctx, [string] $State)
    $counts = [ordered]@{}
    foreach ($s in $AgentStatuses) { $counts[$s] = 0 }
    return [ordered]@{
        state = $State
        reportTime = $Ctx.ReportTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
        expiringWithinDays = $Ctx.ExpiringWithinDays
        protectedItems = 0; otherProviders = 0; machinesListed = 0; truncated = $false
        needAttention = 0
        counts = $counts
        message = $null
        machines = @()
    }
}

function Get-AgentReport {
    <#
    Reads every replication protected item of the vault (all fabrics and containers, every page), with
    the retry policy and the deadline of the run, and judges each A2A and InMageRcm agent. Read-only.
    #>
    param($Ctx, [string] $VaultId)
    $report = New-AgentReport -Ctx $Ctx -State 'Complete'
    $url = '{0}{1}/replicationProtectedItems?api-version={2}' -f $Ctx.ArmBase, $VaultId.TrimEnd('/'), $Ctx.ApiVersion
    $list = Get-ArmList -Ctx $Ctx -Url $url -What 'protected items'
    if ($null -ne $list.Failure) {
        $report.state = $(if ($list.Failure.Outcome -eq 'TimedOut') { 'TimedOut' } else { 'Failed' })
        $report.message = $list.Failure.Message
    }
    $machines = [Collections.Generic.List[object]]::new()
    foreach ($item in $list.Items) {
        $report.protectedItems++
        $instance = [string] $item.properties.providerSpecificDetails.instanceType
        $provider = $KnownProviders | Where-Object { $_ -ieq $instance } | Select-Object -First 1
        if (-not $provider) { $report.otherProviders++; continue }
        $machine = Get-AgentMachine -Item $item -Provider $provider -Ctx $Ctx
        $report.counts[$machine.status]++
        $machines.Add($machine)
    }
    $report.needAttention = [int] @($AttentionStatuses | ForEach-Object { $report.counts[$_] } | Measure-Object -Sum).Sum
    # The list is capped, most severe first; the counts stay complete.
    $order = @{}
    for ($i = 0; $i -lt $AgentStatuses.Count; $i++) { $order[$AgentStatuses[$i]] = $i }
    $sorted = @($machines | Sort-Object -Stable -Property @{ Expression = { $order[$_.status] } })
    $report.machines = @($sorted | Select-Object -First $Ctx.MaxAgentsListed)
    # Log Analytics gets a row for every machine, not only those listed (removed before the summary is written).
    if ($null -ne $Ctx.Ingestion) { $report.allMachines = $sorted }
    $report.machinesListed = $report.machines.Count
    $report.truncated = $sorted.Count -gt $report.machinesListed
    if ($report.state -eq 'Complete') {
        $report.message = 'Agents: ' + (@($AgentStatuses | ForEach-Object { "$($report.counts[$_]) $_" }) -join ', ') + '.'
    }
    return $report
}
