# --- 2-7. One vault: list, classify, execute, verify; then the agent report ---------------------------

function Invoke-VaultRun {
    <#
    Reconciles one vault and reports on its agents. Returns its section of the summary: outcome,
    message, counts, mappings, agents. Never throws for what ARM answers.
    #>
    param($BaseCtx, [string] $VaultId)
    $Ctx = $BaseCtx.Clone()
    $Ctx.VaultKey = ConvertTo-NormalizedId -Id $VaultId
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $section = [ordered]@{
        vault    = $VaultId
        outcome  = $null
        message  = $null
        counts   = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
        mappings = @()
        agents   = $null
        durationSeconds = 0.0
    }
    $url = '{0}{1}/replicationProtectionContainerMappings?api-version={2}' -f $Ctx.ArmBase, $VaultId.TrimEnd('/'), $Ctx.ApiVersion
    # A listing that cannot finish ends this vault's reconciliation (its agents are still reported on).
    $list = Get-ArmList -Ctx $Ctx -Url $url -What 'mappings'
    $items = @()
    if ($null -ne $list.Failure) {
        $section.outcome = $list.Failure[0]
        $section.message = $list.Failure[1]
    } else {
        Write-Verbose "Vault ${VaultId}: listed $($list.Items.Count) mapping(s) in $($list.Pages) page(s)."
        $items = @(foreach ($m in $list.Items) { Get-MappingClassification -Mapping $m -Ctx $Ctx })
        $section.counts.listed = $items.Count
        $planned = @($items | Where-Object { $_.result -eq 'Planned' })
        $section.counts.planned = $planned.Count

        if ($Ctx.DryRun) {
            foreach ($item in $planned) { $item.result = 'WouldUpdate' }
        } elseif ($planned.Count -gt 0) {
            # Execute with bounded concurrency; verify; respect the deadline.
            $functionNames = @(
                'ConvertTo-NormalizedId', 'Test-SameOrigin', 'Get-HeaderValue', 'Get-RetryDelayMilliseconds', 'Get-BackoffMilliseconds',
                'Get-RemainingMilliseconds', 'ConvertFrom-ArmBody', 'Get-ArmError', 'Get-ArmToken', 'Get-ThrottleBudget', 'Wait-ThrottleBudget', 'Update-ThrottleBudget', 'Invoke-ArmRequest',
                'Test-InMageRcmValue', 'Test-MappingMatches', 'Set-ItemFailure', 'Invoke-MappingUpdate'
            )
            $definitions = ($functionNames | ForEach-Object { "function $_ {`n$((Get-Command -Name $_ -CommandType Function).Definition)`n}" }) -join "`n"
            $verbose = $VerbosePreference
            # MaxConcurrency workers drain one shared queue: each runspace loads the functions once, not once
            # per mapping, and a slow operation holds up only its own worker.
            $queue = [Collections.Concurrent.ConcurrentQueue[object]]::new()
            foreach ($item in $planned) { $queue.Enqueue($item) }
            $workers = [Math]::Min($Ctx.MaxConcurrency, $planned.Count)
            # One worker: the mappings are updated here, without the cost of a runspace.
            $updated = if ($workers -eq 1) {
                foreach ($item in $planned) {
                    try { Invoke-MappingUpdate -Item $item -Ctx $Ctx } catch { $item.result = 'Failed'; $item.errorCode = 'UnexpectedError'; $item.errorMessage = $_.Exception.Message; $item }
                }
            } else { 1..$workers | ForEach-Object -ThrottleLimit $workers -Parallel {
                $VerbosePreference = $using:verbose
                $ErrorActionPreference = 'Stop'
                . ([scriptblock]::Create($using:definitions))
                $work = $using:queue
                $runCtx = $using:Ctx
                $item = $null
                while ($work.TryDequeue([ref] $item)) {
                    try {
                        Invoke-MappingUpdate -Item $item -Ctx $runCtx
                    } catch {
                        $item.result = 'Failed'
                        $item.errorCode = 'UnexpectedError'
                        $item.errorMessage = $_.Exception.Message
                        $item
                    }
                }
            } }
            $byId = @{}
            foreach ($u in @($updated)) { if ($null -ne $u) { $byId[$u.id] = $u } }
            foreach ($item in $planned) {
                $u = $byId[$item.id]
                if ($null -ne $u) { foreach ($key in @($u.Keys)) { $item[$key] = $u[$key] } }
                elseif ($item.result -eq 'Planned') { $item.result = 'TimedOut'; $item.reason = 'No result came back before the run ended; a rerun is safe.' }
            }
        }

        foreach ($item in $items) { $item.Remove('body') }
        $section.mappings = $items
        $section.counts.unchanged = @($items | Where-Object { $_.result -eq 'Unchanged' }).Count
        $section.counts.skipped = @($items | Where-Object { $_.result -eq 'Skipped' }).Count
        $section.counts.succeeded = @($items | Where-Object { $_.result -eq 'Succeeded' }).Count
        $section.counts.failed = @($items | Where-Object { $_.result -eq 'Failed' }).Count
        $section.counts.timedOut = @($items | Where-Object { $_.result -eq 'TimedOut' }).Count
        foreach ($item in $items | Where-Object { $_.result -eq 'Failed' }) { Write-Warning "Mapping $($item.id) failed: $($item.errorCode): $($item.errorMessage)" }

        $c = $section.counts
        if ($Ctx.DryRun) {
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

    # --- 8. The agent report (read-only), unless skipped or the vault could not be listed ----------------
    if ($null -ne $list.Failure) {
        $section.agents = New-AgentReport -Ctx $Ctx -State 'NotRead'
        $section.agents.message = $(if ($list.Failure[0] -eq 'TimedOut') { 'The agent report was not read: the deadline passed before the vault could be listed.' } else { 'The agent report was not read: the vault could not be listed.' })
        $section.durationSeconds = [Math]::Round($clock.Elapsed.TotalSeconds, 3)
        return $section
    }
    if ($Ctx.SkipAgentReport) {
        $section.agents = New-AgentReport -Ctx $Ctx -State 'Skipped'
        $section.agents.message = 'The agent report was skipped (SkipAgentReport).'
        $section.durationSeconds = [Math]::Round($clock.Elapsed.TotalSeconds, 3)
        return $section
    }
    $agents = Get-AgentReport -Ctx $Ctx -VaultId $VaultId
    $section.agents = $agents
    Write-Verbose "Vault ${VaultId}: $($agents.message)"
    if ($agents.truncated) { Write-Verbose "Vault ${VaultId}: the machine list shows $($agents.machinesListed) of $($agents.counts.Values | Measure-Object -Sum | ForEach-Object Sum) machines (MaxAgentsListed); the counts are complete." }
    # Precedence: a reconciliation failure stands; then a report that could not be read; then agents
    # that need attention; then the reconciliation's success. A dry run never fails on the report.
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
    $section.durationSeconds = [Math]::Round($clock.Elapsed.TotalSeconds, 3)
    return $section
}
