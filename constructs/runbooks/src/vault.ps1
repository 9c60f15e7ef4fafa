# --- One vault: list and classify its mappings, their outcome, then the agent report --------------------
# The vault's work runs as steps on the engine's pool (src/engine.ps1): Invoke-VaultOpenStep, the
# mappings' steps (src/mappings.ps1), then Invoke-VaultReportStep. $Vault is the vault's state:
# @{ Index; Id; Ctx; Section; Items; Planned (queue); Active; Started }.

function New-VaultState {
    <# A vault's state in the engine, with its context (the job's, with the vault's key). #>
    param($Ctx, [int] $Index, [string] $VaultId)
    $vaultCtx = $Ctx.Clone()
    $vaultCtx.VaultKey = ConvertTo-NormalizedId -Id $VaultId
    return @{
        Index = $Index; Id = $VaultId; Ctx = $vaultCtx; Items = @(); ListFailure = $null
        Planned = [Collections.Generic.Queue[object]]::new(); Active = 0; Clock = [Diagnostics.Stopwatch]::StartNew()
        Section = [ordered]@{
            vault    = $VaultId
            outcome  = $null
            message  = $null
            counts   = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
            mappings = @()
            agents   = $null
            durationSeconds = 0.0
        }
    }
}

function Invoke-VaultOpenStep {
    <# Lists the vault's mappings and classifies each; the planned ones wait in $Vault.Planned (a dry run only says so). #>
    param($Vault)
    $Ctx = $Vault.Ctx
    $section = $Vault.Section
    $url = '{0}{1}/replicationProtectionContainerMappings?api-version={2}' -f $Ctx.ArmBase, $Vault.Id.TrimEnd('/'), $Ctx.ApiVersion
    # A listing that cannot finish ends this vault's reconciliation (its agents are not read).
    $list = Get-ArmList -Ctx $Ctx -Url $url -What 'mappings'
    if ($null -ne $list.Failure) {
        $Vault.ListFailure = $list.Failure
        $section.outcome = $list.Failure.Outcome
        $section.message = $list.Failure.Message
        $section.agents = New-AgentReport -Ctx $Ctx -State 'NotRead'
        $section.agents.message = $(if ($list.Failure.Outcome -eq 'TimedOut') { 'The agent report was not read: the deadline passed before the vault could be listed.' } else { 'The agent report was not read: the vault could not be listed.' })
        return
    }
    Write-Verbose "Vault $($Vault.Id): listed $($list.Items.Count) mapping(s) in $($list.Pages) page(s)."
    $Vault.Items = @(foreach ($m in $list.Items) { Get-MappingClassification -Mapping $m -Ctx $Ctx })
    $section.counts.listed = $Vault.Items.Count
    $planned = @($Vault.Items | Where-Object { $_.result -eq 'Planned' })
    $section.counts.planned = $planned.Count
    if ($Ctx.DryRun) { foreach ($item in $planned) { $item.result = 'WouldUpdate' }; return }
    foreach ($item in $planned) { $Vault.Planned.Enqueue($item) }
}

function Invoke-MappingStep {
    <# One step of one mapping's update ($Work.Stage: Submit, Poll or Verify); the next step, or $null when it is final. #>
    param($Work)
    $ctx = $Work.Vault.Ctx
    try {
        switch ($Work.Stage) {
            'Submit' { return Start-MappingUpdate -Item $Work.Item -Ctx $ctx -Follow $Work.Follow }
            'Poll' { return Step-MappingOperation -Item $Work.Item -Ctx $ctx -Follow $Work.Follow }
            'Verify' { return Confirm-MappingUpdate -Item $Work.Item -Ctx $ctx -Follow $Work.Follow }
        }
    } catch {
        $Work.Item.result = 'Failed'; $Work.Item.errorCode = 'UnexpectedError'; $Work.Item.errorMessage = $_.Exception.Message
    }
    return $null
}

function Complete-VaultMappings {
    <# The vault's mapping counts and its reconciliation outcome, once every mapping's result is final. #>
    param($Vault)
    $section = $Vault.Section
    $items = $Vault.Items
    foreach ($item in $items) { $item.Remove('body') }
    $section.mappings = $items
    $section.counts.unchanged = @($items | Where-Object { $_.result -eq 'Unchanged' }).Count
    $section.counts.skipped = @($items | Where-Object { $_.result -eq 'Skipped' }).Count
    $section.counts.succeeded = @($items | Where-Object { $_.result -eq 'Succeeded' }).Count
    $section.counts.failed = @($items | Where-Object { $_.result -eq 'Failed' }).Count
    $section.counts.timedOut = @($items | Where-Object { $_.result -eq 'TimedOut' }).Count
    foreach ($item in $items | Where-Object { $_.result -eq 'Failed' }) { Write-Warning "Mapping $($item.id) failed: $($item.errorCode): $($item.errorMessage)" }
    $c = $section.counts
    if ($Vault.Ctx.DryRun) {
        $section.outcome = 'DryRun'; $section.message = "$($c.planned) of $($c.listed) mapping(s) would be updated; nothing was written."
    } elseif ($c.planned -eq 0) {
        $section.outcome = 'NoChange'; $section.message = "All $($c.listed) mapping(s) already carry the desired setting or were skipped."
    } elseif ($c.succeeded -eq $c.planned) {
        $section.outcome = 'Succeeded'; $section.message = "$($c.succeeded) mapping(s) updated and verified."
    } elseif ($c.timedOut -gt 0 -and $c.failed -eq 0) {
        $section.outcome = 'TimedOut'; $section.message = "$($c.timedOut) mapping(s) did not finish before the deadline; $($c.succeeded) succeeded. A rerun is safe."
    } elseif ($c.succeeded -gt 0) {
        $section.outcome = 'PartiallyFailed'; $section.message = "$($c.succeeded) succeeded, $($c.failed) failed, $($c.timedOut) timed out."
    } else {
        $section.outcome = 'Failed'; $section.message = "$($c.failed) failed, $($c.timedOut) timed out; nothing was updated."
    }
}

function Invoke-VaultReportStep {
    <#
    The agent report (read-only), unless skipped, and its effect on the outcome: a reconciliation failure
    stands; then a report that could not be read; then agents that need attention; then the
    reconciliation's success. A dry run never fails on the report.
    #>
    param($Vault)
    $Ctx = $Vault.Ctx
    $section = $Vault.Section
    if ($Ctx.SkipAgentReport) {
        $section.agents = New-AgentReport -Ctx $Ctx -State 'Skipped'
        $section.agents.message = 'The agent report was skipped (SkipAgentReport).'
        return
    }
    $agents = Get-AgentReport -Ctx $Ctx -VaultId $Vault.Id
    $section.agents = $agents
    Write-Verbose "Vault $($Vault.Id): $($agents.message)"
    if ($agents.truncated) { Write-Verbose "Vault $($Vault.Id): the machine list shows $($agents.machinesListed) of $($agents.counts.Values | Measure-Object -Sum | ForEach-Object Sum) machines (MaxAgentsListed); the counts are complete." }
    if (@('Succeeded', 'NoChange', 'DryRun') -contains $section.outcome) {
        if ($agents.state -eq 'TimedOut') {
            $section.outcome = 'TimedOut'; $section.message = "$($section.message) $($agents.message) A rerun is safe."
        } elseif ($agents.state -eq 'Failed') {
            $section.outcome = 'ReportFailed'; $section.message = "$($section.message) The agent report could not be read: $($agents.message)"
        } elseif ($agents.needAttention -gt 0 -and -not $Ctx.DryRun) {
            foreach ($m in @($agents.machines | Where-Object { $AttentionStatuses -contains $_.status })) { Write-Warning "Agent on $($m.name) ($($m.provider)): $($m.status): $($m.reasons -join ', ')" }
            $section.outcome = 'AgentsNeedAttention'; $section.message = "$($section.message) $($agents.needAttention) agent(s) out of support or blocked. $($agents.message)"
        } else {
            $section.message = "$($section.message) $($agents.message)"
        }
    } elseif ($agents.message) {
        $section.message = "$($section.message) $($agents.message)"
    }
}
