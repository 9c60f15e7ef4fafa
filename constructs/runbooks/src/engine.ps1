# --- The engine: one runspace pool for the job, draining the work of every vault ------------------------
# One pool of runspaces, created once for the job with every function of this script loaded once through
# its initial session state. The main thread keeps the queues and the vaults' state and hands the pool
# one step at a time: open a vault (list and classify), a mapping's step (submit, poll, verify), the
# agent report. A step that must wait (an operation Azure is running, as its Retry-After asks) holds no
# runspace: it is parked until it is due. The pool is as wide as the cap on requests in flight (never
# wider than the work), so memory does not grow with the number of vaults nor with MaxParallelVaults.

# Script variables the steps read, copied into the pool's session state.
$EngineVariables = @('AgentStatuses', 'AttentionStatuses', 'NonBlockingUpgradeReasons', 'KnownProviders')

function New-RunContext {
    <# What every step shares: the ARM origin, the token, the deadline, the one cap on requests in flight, the throttle budgets. #>
    param([hashtable] $Given, [hashtable] $Run, [string] $IdentityEndpoint, [string] $IdentityHeader)
    $numbers = $Run.Numbers
    return @{
        ArmBase          = $Run.ArmBase
        ArmOrigin        = $Run.ArmOrigin
        Audience         = $Clouds[$Run.Cloud].Audience
        ApiVersion       = $Given.ApiVersion
        IdentityEndpoint = $IdentityEndpoint
        IdentityHeader   = $IdentityHeader
        TokenState       = [hashtable]::Synchronized(@{ Token = $null; ExpiresOn = 0 })
        WebSessions      = [Collections.Concurrent.ConcurrentDictionary[int, Microsoft.PowerShell.Commands.WebRequestSession]]::new()
        Deadline         = [DateTimeOffset]::UtcNow.AddSeconds($numbers.TimeoutSeconds)
        MaxRetries       = $numbers.MaxRetries
        RetryableStatus  = $RetryableStatus
        Providers        = $Run.Providers
        Action           = $Run.Action
        AccountId        = ([string] $Given.AutomationAccountArmId).TrimEnd('/')
        VaultKey         = ConvertTo-NormalizedId -Id $Given.VaultResourceId
        PollIntervalMs   = 5000
        DryRun           = [bool] $Given.DryRun
        MaxConcurrency   = $numbers.MaxConcurrency
        MaxParallelVaults = $numbers.MaxParallelVaults
        MaxRequestsInFlight = $numbers.MaxRequestsInFlight
        SkipAgentReport  = [bool] $Given.SkipAgentReport
        ReportTime       = $Run.ReportTime
        ExpiringWithinDays = $numbers.AgentExpiringWithinDays
        MaxAgentsListed  = $numbers.MaxAgentsListed
        # One cap on ARM requests in flight across the job (every runspace shares it), and one throttling
        # budget per subscription; each request bounded by RequestTimeoutSeconds.
        Gate             = [Threading.SemaphoreSlim]::new($numbers.MaxRequestsInFlight, $numbers.MaxRequestsInFlight)
        Budgets          = [Collections.Concurrent.ConcurrentDictionary[string, object]]::new()
        RequestTimeoutSeconds = $numbers.RequestTimeoutSeconds
        # Below these remaining reads / writes (ARM's per-subscription buckets hold 250 reads and 200 writes),
        # requests in the subscription are paced.
        LowReads         = 100
        LowWrites        = 40
        # Rows for Log Analytics ($null: not configured).
        Ingestion        = $Run.Ingestion
        ResourceGraphApiVersion = $ResourceGraphApiVersion
    }
}

function New-EnginePool {
    <# The job's one runspace pool: every function of this script and the constants the steps read, loaded once. #>
    param([int] $Width)
    $iss = [Management.Automation.Runspaces.InitialSessionState]::CreateDefault2()
    foreach ($f in @(Get-ChildItem -Path function: | Where-Object { $FunctionsBefore -notcontains $_.Name })) {
        $iss.Commands.Add([Management.Automation.Runspaces.SessionStateFunctionEntry]::new($f.Name, $f.Definition))
    }
    foreach ($name in $EngineVariables + @('VerbosePreference')) {
        $iss.Variables.Add([Management.Automation.Runspaces.SessionStateVariableEntry]::new($name, (Get-Variable -Name $name -ValueOnly), ''))
    }
    $iss.Variables.Add([Management.Automation.Runspaces.SessionStateVariableEntry]::new('ErrorActionPreference', 'Stop', ''))
    # No host: what a step writes to Verbose and Warning stays in its own streams, which the main thread
    # forwards to the job's (Receive-EngineStep).
    $pool = [Management.Automation.Runspaces.RunspaceFactory]::CreateRunspacePool($iss)
    $null = $pool.SetMaxRunspaces($Width)
    $null = $pool.SetMinRunspaces(1)
    # Each runspace keeps its thread, so the per-thread web sessions (connection reuse) stay as many as the pool.
    $pool.ThreadOptions = [Management.Automation.Runspaces.PSThreadOptions]::ReuseThread
    $pool.Open()
    return $pool
}

function Start-EngineStep {
    <# Hands one step to the pool: Open and Report take the vault, a mapping step its work. #>
    param($Engine, $Work)
    $ps = [PowerShell]::Create()
    $ps.RunspacePool = $Engine.Pool
    switch ($Work.Kind) {
        'Open' { $null = $ps.AddCommand('Invoke-VaultOpenStep').AddParameter('Vault', $Work.Vault) }
        'Report' { $null = $ps.AddCommand('Invoke-VaultReportStep').AddParameter('Vault', $Work.Vault) }
        default { $null = $ps.AddCommand('Invoke-MappingStep').AddParameter('Work', $Work) }
    }
    $Engine.Running.Add(@{ PS = $ps; Handle = $ps.BeginInvoke(); Work = $Work })
    $Engine.Steps++
}

function Receive-EngineStep {
    <# A finished step: its verbose and warning records forwarded to the job's streams; its output, or the error it ended with. #>
    param($Running)
    $result = @{ Output = $null; Error = $null }
    try { $result.Output = @($Running.PS.EndInvoke($Running.Handle)) } catch { $result.Error = $_.Exception.Message }
    foreach ($r in $Running.PS.Streams.Verbose) { Write-Verbose $r.Message }
    foreach ($r in $Running.PS.Streams.Warning) { Write-Warning $r.Message }
    $Running.PS.Dispose()
    return $result
}

function Add-VaultMappingWork {
    <# Starts the vault's next planned mappings, at most MaxConcurrency at once; when none is left, its report. #>
    param($Engine, $Vault)
    while ($Vault.Planned.Count -gt 0 -and $Vault.Active -lt $Vault.Ctx.MaxConcurrency) {
        $Vault.Active++
        $Engine.Ready.Enqueue(@{ Kind = 'Mapping'; Stage = 'Submit'; Vault = $Vault; Item = $Vault.Planned.Dequeue(); Follow = @{} })
    }
    if ($Vault.Active -eq 0) {
        Complete-VaultMappings -Vault $Vault
        # The report is a read: it counts among the vaults read side by side until it ends.
        $Engine.Reading++
        $Engine.Ready.Enqueue(@{ Kind = 'Report'; Vault = $Vault })
    }
}

function Complete-EngineVault {
    <# A vault's section is final: its duration, the job's log lines, its place in the results. #>
    param($Engine, $Vault)
    $section = $Vault.Section
    $section.durationSeconds = [Math]::Round($Vault.Clock.Elapsed.TotalSeconds, 3)
    if ($Engine.Fleet) { Compress-FleetSection -Section $section -KeepFacts ($null -ne $Engine.Ctx.Ingestion) }
    $Engine.Sections[$Vault.Index] = $section
    $Engine.Open--
    if ($Engine.Fleet) {
        Write-Verbose "Vault $($Vault.Id): $($section.outcome). $($section.message)"
        if (@('Succeeded', 'NoChange', 'DryRun') -notcontains $section.outcome) { Write-Warning "Vault $($Vault.Id): $($section.outcome): $($section.message)" }
    }
}

function Compress-FleetSection {
    <#
    A fleet vault's section as the fleet summary and the rows read it, kept until the job ends: a mapping
    without its before and desired settings, a machine without its facts (kept when rows go to Log
    Analytics, which read the expiry date), so the job's memory grows little with the number of vaults.
    #>
    param($Section, [bool] $KeepFacts)
    foreach ($m in @($Section.mappings)) { foreach ($k in @('before', 'desired', 'state')) { $m.Remove($k) } }
    if ($null -eq $Section.agents -or $KeepFacts) { return }
    foreach ($a in @($Section.agents.machines)) { $a.Remove('facts'); $a.Remove('id') }
}

function Complete-EngineStep {
    <# What follows a finished step: the vault's mappings, a parked poll, the next mapping, the report, the section. #>
    param($Engine, $Work, $Result)
    $vault = $Work.Vault
    if ($Work.Kind -eq 'Open') {
        $Engine.Reading--
        if ($null -ne $Result.Error) {
            $section = New-VaultSection -Ctx $vault.Ctx -VaultId $vault.Id -Outcome 'Failed' -Message "Unexpected error: $($Result.Error)" -AgentMessage 'The agent report was not read: the vault run failed.'
            $vault.Section = $section
            Complete-EngineVault -Engine $Engine -Vault $vault
        } elseif ($null -ne $vault.ListFailure) {
            Complete-EngineVault -Engine $Engine -Vault $vault
        } else {
            Add-VaultMappingWork -Engine $Engine -Vault $vault
        }
        return
    }
    if ($Work.Kind -eq 'Report') {
        $Engine.Reading--
        if ($null -ne $Result.Error) { $vault.Section.outcome = 'Failed'; $vault.Section.message = "$($vault.Section.message) Unexpected error in the agent report: $($Result.Error)" }
        Complete-EngineVault -Engine $Engine -Vault $vault
        return
    }
    $next = if ($null -eq $Result.Error -and $Result.Output.Count -gt 0) { $Result.Output[-1] } else { $null }
    if ($null -ne $Result.Error) { $Work.Item.result = 'Failed'; $Work.Item.errorCode = 'UnexpectedError'; $Work.Item.errorMessage = $Result.Error }
    if ($null -ne $next) {
        $Work.Stage = $next.Stage
        if ($next.WaitMs -gt 0) { $Engine.Parked.Enqueue($Work, [DateTimeOffset]::UtcNow.AddMilliseconds($next.WaitMs).UtcTicks) } else { $Engine.Ready.Enqueue($Work) }
        return
    }
    $vault.Active--
    Add-VaultMappingWork -Engine $Engine -Vault $vault
}

function Open-EngineVault {
    <# The next vault of the job: started, or NotStarted when the deadline is too near for its turn. #>
    param($Engine)
    $index = $Engine.Next
    $Engine.Next++
    $Engine.Open++
    $vault = New-VaultState -Ctx $Engine.Ctx -Index $index -VaultId $Engine.VaultIds[$index]
    if ((Get-RemainingMilliseconds -Ctx $Engine.Ctx) -le $Engine.StartReserveMs) {
        $vault.Section = New-VaultSection -Ctx $Engine.Ctx -VaultId $vault.Id -Outcome 'NotStarted' -Message 'Not started: the deadline was near when its turn came; nothing was read or written. A rerun is safe.' -AgentMessage 'The agent report was not read: the vault was not started.'
        Complete-EngineVault -Engine $Engine -Vault $vault
        return
    }
    $Engine.Reading++
    $Engine.Ready.Enqueue(@{ Kind = 'Open'; Vault = $vault })
}

function Test-EngineCanOpen {
    <#
    Whether the next vault may start: MaxParallelVaults vaults are read (listed, reported on) side by side,
    and with 1 a vault starts only when the one before has ended (one vault after another). Vaults are not
    opened faster than the pool drains their work: the steps ready to run stay under twice the pool's
    width and the operations being waited on under 16 times it.
    #>
    param($Engine)
    if ($Engine.Next -ge $Engine.VaultIds.Count) { return $false }
    if ($Engine.Ctx.MaxParallelVaults -eq 1) { return $Engine.Open -eq 0 }
    if ($Engine.Reading -ge $Engine.Ctx.MaxParallelVaults) { return $false }
    return $Engine.Ready.Count -lt (2 * $Engine.Width) -and $Engine.Parked.Count -lt (16 * $Engine.Width)
}

function Invoke-Engine {
    <#
    Runs the job's vaults on one runspace pool and returns their sections, in the order given, with what
    the engine observed (Diagnostics: steps, the pool's width, the most runspaces alive at once).
    #>
    param($Ctx, [string[]] $VaultIds, [int64] $StartReserveMs, [bool] $Fleet)
    $count = $VaultIds.Count
    $width = [int] [Math]::Max(1, [Math]::Min($Ctx.MaxRequestsInFlight, [Math]::Max(1, $count) * $Ctx.MaxConcurrency))
    $engine = @{
        Ctx = $Ctx; VaultIds = $VaultIds; StartReserveMs = $StartReserveMs; Fleet = $Fleet; Width = $width
        Sections = [object[]]::new($count); Next = 0; Open = 0; Reading = 0; Steps = 0; PeakRunspaces = 0
        Ready = [Collections.Generic.Queue[object]]::new(); Parked = [Collections.Generic.PriorityQueue[object, int64]]::new()
        Running = [Collections.Generic.List[object]]::new(); Pool = $null
    }
    if ($count -eq 0) { return @{ Sections = @(); Diagnostics = @{ Steps = 0; PoolWidth = 0; PeakRunspaces = 0 } } }
    $engine.Pool = New-EnginePool -Width $width
    $sampled = [Diagnostics.Stopwatch]::StartNew()
    try {
        while ($true) {
            Move-DueEngineWork -Engine $engine
            while ((Test-EngineCanOpen -Engine $engine)) { Open-EngineVault -Engine $engine }
            while ($engine.Ready.Count -gt 0 -and $engine.Running.Count -lt $width) { Start-EngineStep -Engine $engine -Work $engine.Ready.Dequeue() }
            if ($engine.Running.Count -eq 0 -and $engine.Ready.Count -eq 0 -and $engine.Parked.Count -eq 0 -and $engine.Next -ge $count) { break }
            if ($sampled.ElapsedMilliseconds -ge 1000 -or $engine.PeakRunspaces -eq 0) {
                # Every second: the runspaces alive, and a collection, so the job's memory stays near its
                # working set (Azure's sandbox stops a job over 400 MB) instead of growing with garbage.
                $engine.PeakRunspaces = [Math]::Max($engine.PeakRunspaces, @(Get-Runspace).Count)
                [GC]::Collect()
                $sampled.Restart()
            }
            Wait-EngineStep -Engine $engine
        }
    } finally {
        $engine.PeakRunspaces = [Math]::Max($engine.PeakRunspaces, @(Get-Runspace).Count)
        foreach ($r in $engine.Running) { $r.PS.Stop(); $r.PS.Dispose() }
        $engine.Pool.Close()
        $engine.Pool.Dispose()
        # The pool's runspaces are gone: their memory is free before the summary is built.
        [GC]::Collect()
    }
    Write-Verbose "Engine: $($engine.Steps) step(s) on one pool of at most $width runspace(s); at most $($engine.PeakRunspaces) runspace(s) alive in the job."
    return @{ Sections = $engine.Sections; Diagnostics = @{ Steps = $engine.Steps; PoolWidth = $width; PeakRunspaces = $engine.PeakRunspaces } }
}

function Move-DueEngineWork {
    <# Parked steps whose wait is over go to the ready queue, in the order they fell due. #>
    param($Engine)
    $work = $null
    $due = [int64] 0
    $now = [DateTimeOffset]::UtcNow.UtcTicks
    while ($Engine.Parked.TryPeek([ref] $work, [ref] $due) -and $due -le $now) { $Engine.Ready.Enqueue($Engine.Parked.Dequeue()) }
}

function Wait-EngineStep {
    <# Waits for a running step to finish (or the next parked one to fall due) and completes what finished. #>
    param($Engine)
    $timeout = 200
    $work = $null
    $due = [int64] 0
    if ($Engine.Parked.TryPeek([ref] $work, [ref] $due)) {
        $timeout = [int] [Math]::Max(0, [Math]::Min(200, ($due - [DateTimeOffset]::UtcNow.UtcTicks) / 10000))
    }
    if ($Engine.Running.Count -gt 0) {
        $handles = [Threading.WaitHandle[]]::new($Engine.Running.Count)
        for ($i = 0; $i -lt $handles.Count; $i++) { $handles[$i] = $Engine.Running[$i].Handle.AsyncWaitHandle }
        $null = [Threading.WaitHandle]::WaitAny($handles, $timeout)
    } elseif ($timeout -gt 0) {
        Start-Sleep -Milliseconds $timeout
    }
    for ($i = $Engine.Running.Count - 1; $i -ge 0; $i--) {
        $r = $Engine.Running[$i]
        if (-not $r.Handle.IsCompleted) { continue }
        $Engine.Running.RemoveAt($i)
        $result = Receive-EngineStep -Running $r
        Complete-EngineStep -Engine $Engine -Work $r.Work -Result $result
    }
}

function Invoke-SingleVaultJob {
    <# One vault: reconciled, reported on, its rows sent; the one JSON document. #>
    param($Ctx, [hashtable] $Run, $Summary, [string] $VaultId)
    Write-Verbose ("Vault {0}; action {1}; providers {2}; dry run {3}; ARM {4}; runbook {5}." -f $VaultId, $Run.Action, ($Run.Providers -join ','), [bool] $Ctx.DryRun, $Run.ArmOrigin.Authority, $RunbookVersion)
    $section = (Invoke-Engine -Ctx $Ctx -VaultIds @($VaultId) -StartReserveMs ([int64]::MinValue) -Fleet $false).Sections[0]
    $Summary.counts = $section.counts
    $Summary.mappings = $section.mappings
    $Summary.agents = $section.agents
    $Summary.durationSeconds = $section.durationSeconds
    $final = Send-IngestionRows -Ctx $Ctx -Summary $Summary -Sections @($section) -Outcome $section.outcome -Message $section.message
    Complete-Run -Summary $Summary -Outcome $final.Outcome -Message $final.Message
}

function Invoke-FleetJob {
    <# A fleet: discovery, then the vaults side by side under one deadline (a vault's failure stays its own); the one JSON document. #>
    param($Ctx, [hashtable] $Run, $Summary)
    # The fleet's work ends a little before TimeoutSeconds (5%, at most a minute), which leaves the time to
    # build and write the summary of hundreds of vaults: the job as a whole ends within TimeoutSeconds.
    $Ctx.Deadline = $Ctx.Deadline.AddMilliseconds(-[Math]::Min(60000, $Run.Numbers.TimeoutSeconds * 50))
    $scope = Resolve-FleetScope -Ctx $Ctx -Run $Run -Summary $Summary
    $vaultList = $scope.VaultList
    $Summary.vaults = @($vaultList)
    if ($vaultList.Count -gt $MaxFleetVaults) {
        Complete-FleetRun -Summary $Summary -Sections @() -Outcome 'Failed' -Message "The job has $($vaultList.Count) vaults in scope; one job reconciles at most $MaxFleetVaults. Narrow the scope (a tag, exclusions) or split it over several automation accounts." -MachineCap 0
        return
    }
    Write-Verbose ("Fleet of {0} vault(s), {1} side by side, at most {2} requests in flight; action {3}; providers {4}; dry run {5}; ARM {6}; runbook {7}." -f $vaultList.Count, [Math]::Min($Run.Numbers.MaxParallelVaults, [Math]::Max(1, $vaultList.Count)), $Run.Numbers.MaxRequestsInFlight, $Run.Action, ($Run.Providers -join ','), [bool] $Ctx.DryRun, $Run.ArmOrigin.Authority, $RunbookVersion)
    # A vault whose turn comes when less than a tenth of the deadline (at most 2 minutes) is left is
    # NotStarted, so the job ends, and reports, in time.
    $reserve = [int64] [Math]::Min(120000, $Run.Numbers.TimeoutSeconds * 100)
    $sections = (Invoke-Engine -Ctx $Ctx -VaultIds ([string[]] $vaultList) -StartReserveMs $reserve -Fleet $true).Sections
    Complete-FleetJob -Ctx $Ctx -Summary $Summary -VaultList $vaultList -Sections $sections -DiscoveryFailed $scope.DiscoveryFailed -MachineCap $Run.Numbers.MaxAgentsListed
}
