# --- Main ----------------------------------------------------------------------------------------

$Summary = [ordered]@{
    schemaVersion  = $SummarySchemaVersion
    runbookVersion = $RunbookVersion
    vault          = $VaultResourceId
    action         = $AutoUpdateAction
    providers      = @()
    dryRun         = [bool] $DryRun
    outcome        = $null
    message        = $null
    counts         = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
    mappings       = @()
    agents         = $null
}

# --- 1. Parameters, validated before any network call -----------------------------------------

$problems = [Collections.Generic.List[string]]::new()
$discover = [bool] ($DiscoverySubscriptionIds -or $DiscoveryManagementGroupId)
$fleet = [bool] ($VaultResourceIds -or $discover -or $DiscoveryTag -or $ExcludeVaultResourceIds)
$vaultList = @()
$excluded = @{}
$discoverySubscriptions = @()
$discoveryTagName = $null
$discoveryTagValue = $null
if ($fleet) {
    if ($VaultResourceId) { $problems.Add('VaultResourceId cannot be combined with VaultResourceIds or discovery: give one vault, or a list and/or a discovery scope.') }
    if (-not $VaultResourceIds -and -not $discover) { $problems.Add('A fleet needs VaultResourceIds or a discovery scope (DiscoverySubscriptionIds or DiscoveryManagementGroupId); DiscoveryTag and ExcludeVaultResourceIds only narrow one.') }
    $seen = @{}
    if ($VaultResourceIds) {
        $entries = @($VaultResourceIds -split ',')
        foreach ($entry in $entries) {
            $id = $entry.Trim()
            if ($id -notmatch $VaultIdPattern) { $problems.Add("VaultResourceIds entry '$id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}."); continue }
            $key = ConvertTo-NormalizedId -Id $id
            if ($seen.ContainsKey($key)) { $problems.Add("VaultResourceIds names '$id' twice (ids compare case-insensitively)."); continue }
            $seen[$key] = $true
            $vaultList += $id
        }
        if ($entries.Count -gt $MaxFleetVaults) { $problems.Add("VaultResourceIds names $($entries.Count) vaults; one job reconciles at most $MaxFleetVaults.") }
    }
    if ($DiscoverySubscriptionIds) {
        foreach ($entry in ($DiscoverySubscriptionIds -split ',')) {
            $sub = $entry.Trim()
            if ($sub -notmatch "\A$GuidPattern\z") { $problems.Add("DiscoverySubscriptionIds entry '$sub' must be a subscription id (a GUID)."); continue }
            if ($discoverySubscriptions -contains $sub.ToLowerInvariant()) { $problems.Add("DiscoverySubscriptionIds names '$sub' twice."); continue }
            $discoverySubscriptions += $sub.ToLowerInvariant()
        }
        if ($discoverySubscriptions.Count -gt $SubscriptionListMax) { $problems.Add("DiscoverySubscriptionIds names $($discoverySubscriptions.Count) subscriptions; at most $SubscriptionListMax.") }
    }
    if ($DiscoveryManagementGroupId -and $DiscoveryManagementGroupId -notmatch $ManagementGroupPattern) {
        $problems.Add("DiscoveryManagementGroupId '$DiscoveryManagementGroupId' must be a management group id: 1 to 90 letters, digits, '-', '_', '(', ')' or '.', not ending with '.'.")
    }
    if ($DiscoveryTag) {
        $parts = $DiscoveryTag -split '=', 2
        $discoveryTagName = $parts[0]
        if ($parts.Count -eq 2) { $discoveryTagValue = $parts[1] }
        # Tag names follow ARM's rules (at most 512 characters, none of < > % & \ ? /), values at most 256
        # characters; quotes, backslashes and control characters are refused so the Resource Graph query
        # carries them literally.
        $badName = (-not $discoveryTagName) -or $discoveryTagName.Length -gt 512 -or $discoveryTagName -match '[<>%&\\?/''"\p{Cc}]' -or $discoveryTagName -ne $discoveryTagName.Trim()
        $badValue = $null -ne $discoveryTagValue -and ($discoveryTagValue.Length -gt 256 -or $discoveryTagValue -match '[\\''"\p{Cc}]')
        if ($badName) {
            $problems.Add("DiscoveryTag '$DiscoveryTag' must be name=value or name: a name of 1 to 512 characters without < > % & \ ? /, quotes, control characters or surrounding spaces.")
        } elseif ($badValue) {
            $problems.Add("DiscoveryTag '$DiscoveryTag' has a value that must be at most 256 characters without quotes, backslashes or control characters.")
        }
        if (-not $discover) { $problems.Add('DiscoveryTag needs a discovery scope: DiscoverySubscriptionIds or DiscoveryManagementGroupId.') }
    }
    if ($ExcludeVaultResourceIds) {
        foreach ($entry in ($ExcludeVaultResourceIds -split ',')) {
            $id = $entry.Trim()
            if ($id -notmatch $VaultIdPattern) { $problems.Add("ExcludeVaultResourceIds entry '$id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}."); continue }
            $excluded[(ConvertTo-NormalizedId -Id $id)] = $true
        }
    }
} elseif ($VaultResourceId -notmatch $VaultIdPattern) { $problems.Add("VaultResourceId '$VaultResourceId' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}.") }
$action = @('Enabled', 'Disabled') | Where-Object { $_ -ieq $AutoUpdateAction.Trim() } | Select-Object -First 1
if (-not $action) { $problems.Add("AutoUpdateAction '$AutoUpdateAction' must be Enabled or Disabled.") }
$providerList = @()
foreach ($p in ($Providers -split ',')) {
    $name = $p.Trim()
    if (-not $name) { continue }
    $known = $KnownProviders | Where-Object { $_ -ieq $name } | Select-Object -First 1
    if ($known) { if ($providerList -notcontains $known) { $providerList += $known } } else { $problems.Add("Providers entry '$name' must be one of A2A, InMageRcm.") }
}
if ($providerList.Count -eq 0 -and $problems.Count -eq 0) { $problems.Add("Providers '$Providers' must name at least one of A2A, InMageRcm.") }
if ($AutomationAccountArmId -and $AutomationAccountArmId -notmatch $AccountIdPattern) { $problems.Add("AutomationAccountArmId '$AutomationAccountArmId' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Automation/automationAccounts/{name}.") }
if ($action -eq 'Enabled' -and $providerList -contains 'A2A' -and -not $AutomationAccountArmId) { $problems.Add('AutomationAccountArmId is required when AutoUpdateAction is Enabled and Providers includes A2A.') }
$cloud = $Clouds.Keys | Where-Object { $_ -ieq $AzureEnvironment } | Select-Object -First 1
if (-not $cloud) { $problems.Add("AzureEnvironment '$AzureEnvironment' must be AzureCloud, AzureUSGovernment or AzureChinaCloud.") }
$armBase = if ($ArmEndpoint) { $ArmEndpoint.TrimEnd('/') } elseif ($cloud) { $Clouds[$cloud].Arm } else { '' }
$armOrigin = $null
if ($ArmEndpoint) {
    if (-not [Uri]::TryCreate($armBase, [UriKind]::Absolute, [ref] $armOrigin) -or ($armOrigin.AbsolutePath -ne '/')) {
        $problems.Add("ArmEndpoint '$ArmEndpoint' must be an absolute URL with no path.")
    } elseif (-not ($armOrigin.Scheme -eq 'https' -or ($armOrigin.Scheme -eq 'http' -and (Test-LoopbackHost -HostName $armOrigin.Host)))) {
        $problems.Add("ArmEndpoint '$ArmEndpoint' must use https:// (http:// is allowed only for loopback hosts).")
    }
} elseif ($armBase) {
    $armOrigin = [Uri] $armBase
}
$ingestion = Get-IngestionSettings -Endpoint $IngestionEndpoint -RuleId $IngestionRuleId -Cloud $cloud -Problems $problems
if ($ApiVersion -notmatch '\A\d{4}-\d{2}-\d{2}(-preview)?\z') { $problems.Add("ApiVersion '$ApiVersion' must be yyyy-mm-dd with an optional -preview.") }
$numbers = @{}
foreach ($spec in @(@('TimeoutSeconds', $TimeoutSeconds, 5, 10200), @('MaxConcurrency', $MaxConcurrency, 1, 16), @('MaxRetries', $MaxRetries, 0, 10), @('AgentExpiringWithinDays', $AgentExpiringWithinDays, 0, 365), @('MaxAgentsListed', $MaxAgentsListed, 0, 5000), @('MaxParallelVaults', $MaxParallelVaults, 1, 32), @('MaxRequestsInFlight', $MaxRequestsInFlight, 1, 64), @('RequestTimeoutSeconds', $RequestTimeoutSeconds, 5, 300))) {
    $parsed = 0
    if ([int]::TryParse([string] $spec[1], [ref] $parsed) -and $parsed -ge $spec[2] -and $parsed -le $spec[3]) { $numbers[$spec[0]] = $parsed }
    else { $problems.Add("$($spec[0]) '$($spec[1])' must be an integer from $($spec[2]) to $($spec[3]).") }
}
$reportTime = [DateTimeOffset]::UtcNow
if (($ReportTimeUtc -is [DateTime] -and $ReportTimeUtc.Kind -ne [DateTimeKind]::Unspecified) -or $ReportTimeUtc -is [DateTimeOffset]) {
    $reportTime = ConvertTo-UtcInstant $ReportTimeUtc
} elseif ($ReportTimeUtc) {
    $ReportTimeUtc = [string] $ReportTimeUtc
    $parsedTime = [DateTimeOffset]::MinValue
    if ($ReportTimeUtc -match '\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})\z' -and [DateTimeOffset]::TryParse($ReportTimeUtc, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::None, [ref] $parsedTime)) {
        $reportTime = $parsedTime.ToUniversalTime()
    } else {
        $problems.Add("ReportTimeUtc '$ReportTimeUtc' must be an ISO 8601 date and time with a zone, e.g. 2026-11-30T00:00:00Z.")
    }
}
$Summary.providers = $providerList
if ($action) { $Summary.action = $action }
if ($fleet) {
    # A fleet job's summary: the totals, the overall outcome and one section per vault.
    $Summary = [ordered]@{
        schemaVersion  = $SummarySchemaVersion
        runbookVersion = $RunbookVersion
        vaults         = @($vaultList)
        action         = $Summary.action
        providers      = $providerList
        dryRun         = [bool] $DryRun
        outcome        = $null
        message        = $null
        discovery      = $null
        vaultOutcomes  = [ordered]@{}
        counts         = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
        agentCounts    = [ordered]@{}
        lists          = $null
        sections       = @()
    }
    if ($vaultList.Count -eq 0 -and $VaultResourceIds) { $Summary.vaults = @(($VaultResourceIds -split ',') | ForEach-Object { $_.Trim() }) }
    if ($discover) {
        $Summary.discovery = [ordered]@{
            state = 'NotRun'; subscriptions = @($discoverySubscriptions); managementGroup = $(if ($DiscoveryManagementGroupId) { $DiscoveryManagementGroupId } else { $null })
            tag = $(if ($DiscoveryTag) { $DiscoveryTag } else { $null }); pages = 0; found = 0; excluded = 0; alreadyListed = 0; message = $null
        }
    }
    foreach ($st in $AgentStatuses) { $Summary.agentCounts[$st] = 0 }
}
if ($problems.Count -gt 0) {
    foreach ($problem in $problems) { Write-Warning $problem }
    Complete-Run -Summary $Summary -Outcome 'InvalidInput' -Message ($problems -join ' ')
    return
}

$identityEndpoint = $env:IDENTITY_ENDPOINT
$identityHeader = $env:IDENTITY_HEADER
if ([string]::IsNullOrEmpty($identityEndpoint) -or [string]::IsNullOrEmpty($identityHeader)) {
    Complete-Run -Summary $Summary -Outcome 'InvalidEnvironment' -Message 'IDENTITY_ENDPOINT and IDENTITY_HEADER must be set: run this in an Automation account with a system-assigned managed identity.'
    return
}

$Ctx = @{
    ArmBase          = $armBase
    ArmOrigin        = $armOrigin
    Audience         = $Clouds[$cloud].Audience
    ApiVersion       = $ApiVersion
    IdentityEndpoint = $identityEndpoint
    IdentityHeader   = $identityHeader
    TokenState       = [hashtable]::Synchronized(@{ Token = $null; ExpiresOn = 0 })
    WebSessions      = [Collections.Concurrent.ConcurrentDictionary[int, Microsoft.PowerShell.Commands.WebRequestSession]]::new()
    Deadline         = [DateTimeOffset]::UtcNow.AddSeconds($numbers.TimeoutSeconds)
    MaxRetries       = $numbers.MaxRetries
    RetryableStatus  = $RetryableStatus
    Providers        = $providerList
    Action           = $action
    AccountId        = $AutomationAccountArmId.TrimEnd('/')
    VaultKey         = ConvertTo-NormalizedId -Id $VaultResourceId
    PollIntervalMs   = 5000
    DryRun           = [bool] $DryRun
    MaxConcurrency   = $numbers.MaxConcurrency
    SkipAgentReport  = [bool] $SkipAgentReport
    ReportTime       = $reportTime
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
}
# Rows for Log Analytics ($null: not configured).
$Ctx.Ingestion = $ingestion

if (-not $fleet) {
    Write-Verbose ("Vault {0}; action {1}; providers {2}; dry run {3}; ARM {4}; runbook {5}." -f $VaultResourceId, $action, ($providerList -join ','), [bool] $DryRun, $armOrigin.Authority, $RunbookVersion)
    $section = Invoke-VaultRun -BaseCtx $Ctx -VaultId $VaultResourceId
    $Summary.counts = $section.counts
    $Summary.mappings = $section.mappings
    $Summary.agents = $section.agents
    $Summary.durationSeconds = $section.durationSeconds
    $final = Send-IngestionRows -Ctx $Ctx -Summary $Summary -Sections @($section) -Outcome $section.outcome -Message $section.message
    Complete-Run -Summary $Summary -Outcome $final.Outcome -Message $final.Message
    return
}

# --- Fleet: discovery, then the vaults side by side under one deadline; a vault's failure stays its own ---

$Ctx.ResourceGraphApiVersion = $ResourceGraphApiVersion
# The fleet's work ends a little before TimeoutSeconds (5%, at most a minute), which leaves the time to
# build and write the summary of hundreds of vaults: the job as a whole ends within TimeoutSeconds.
$Ctx.Deadline = $Ctx.Deadline.AddMilliseconds(-[Math]::Min(60000, $numbers.TimeoutSeconds * 50))
$discoveryFailed = $false
if ($discover) {
    # Each night: the vaults in scope, found through Resource Graph; the union with the list, exclusions removed.
    $d = $Summary.discovery
    $query = New-VaultQuery -TagName $discoveryTagName -TagValue $discoveryTagValue
    $scopes = @()
    if ($discoverySubscriptions.Count -gt 0) { $scopes += , @('subscriptions', $discoverySubscriptions) }
    if ($DiscoveryManagementGroupId) { $scopes += , @('managementGroups', @($DiscoveryManagementGroupId)) }
    $found = [Collections.Generic.List[string]]::new()
    $d.state = 'Complete'
    foreach ($scope in $scopes) {
        $r = Find-Vaults -Ctx $Ctx -ScopeName $scope[0] -ScopeValue $scope[1] -Query $query
        $d.pages += $r.Pages
        foreach ($id in $r.Ids) { $found.Add((Get-CanonicalVaultId -Id $id)) }
        if ($null -ne $r.Failure) { $d.state = $r.Failure[0]; $d.message = $r.Failure[1]; $discoveryFailed = $true; Write-Warning "Discovery: $($r.Failure[1])"; break }
    }
    $known = @{}
    foreach ($id in $vaultList) { $known[(ConvertTo-NormalizedId -Id $id)] = $true }
    $rejected = 0
    $added = [Collections.Generic.List[string]]::new()
    foreach ($id in ($found | Sort-Object -Unique)) {
        if ($id -notmatch $VaultIdPattern) { $rejected++; Write-Warning "Discovery: Resource Graph returned '$id', which is not a vault id; it is ignored."; continue }
        $key = ConvertTo-NormalizedId -Id $id
        if ($known.ContainsKey($key)) { $d.alreadyListed++; continue }
        $known[$key] = $true
        $added.Add($id)
    }
    $d.found = $added.Count + $d.alreadyListed
    if ($d.state -eq 'Complete') { $d.message = "Resource Graph found $($d.found) vault(s) in $($d.pages) page(s)$(if ($rejected) { "; $rejected id(s) ignored" })." }
    $vaultList = @($vaultList) + @($added)
}
if ($excluded.Count -gt 0) {
    $kept = @($vaultList | Where-Object { -not $excluded.ContainsKey((ConvertTo-NormalizedId -Id $_)) })
    if ($null -ne $Summary.discovery) { $Summary.discovery.excluded = $vaultList.Count - $kept.Count }
    $vaultList = $kept
}
$Summary.vaults = @($vaultList)
if ($vaultList.Count -gt $MaxFleetVaults) {
    Complete-FleetRun -Summary $Summary -Sections @() -Outcome 'Failed' -Message "The job has $($vaultList.Count) vaults in scope; one job reconciles at most $MaxFleetVaults. Narrow the scope (a tag, exclusions) or split it over several automation accounts." -MachineCap 0
    return
}

Write-Verbose ("Fleet of {0} vault(s), {1} side by side, at most {2} requests in flight; action {3}; providers {4}; dry run {5}; ARM {6}; runbook {7}." -f $vaultList.Count, [Math]::Min($numbers.MaxParallelVaults, [Math]::Max(1, $vaultList.Count)), $numbers.MaxRequestsInFlight, $action, ($providerList -join ','), [bool] $DryRun, $armOrigin.Authority, $RunbookVersion)
# A bounded pool of runspaces drains one queue of vaults; a vault whose turn comes when less than a tenth
# of the deadline (at most 2 minutes) is left is NotStarted, so the job ends, and reports, in time.
$startReserveMs = [Math]::Min(120000, $numbers.TimeoutSeconds * 100)
$results = [Collections.Concurrent.ConcurrentDictionary[int, object]]::new()
$queue = [Collections.Concurrent.ConcurrentQueue[int]]::new()
for ($i = 0; $i -lt $vaultList.Count; $i++) { $queue.Enqueue($i) }
$workers = [Math]::Min($numbers.MaxParallelVaults, $vaultList.Count)
if ($workers -gt 0) {
    $definitions = (Get-ChildItem -Path function: | Where-Object { $FunctionsBefore -notcontains $_.Name } | ForEach-Object { "function $($_.Name) {`n$($_.Definition)`n}" }) -join "`n"
    $shared = @{ AgentStatuses = $AgentStatuses; AttentionStatuses = $AttentionStatuses; NonBlockingUpgradeReasons = $NonBlockingUpgradeReasons; KnownProviders = $KnownProviders }
    $verbose = $VerbosePreference
    $vaultArray = [string[]] $vaultList
    1..$workers | ForEach-Object -ThrottleLimit $workers -Parallel {
        $VerbosePreference = $using:verbose
        $ErrorActionPreference = 'Stop'
        . ([scriptblock]::Create($using:definitions))
        $sharedValues = $using:shared
        $AgentStatuses = $sharedValues.AgentStatuses
        $AttentionStatuses = $sharedValues.AttentionStatuses
        $NonBlockingUpgradeReasons = $sharedValues.NonBlockingUpgradeReasons
        $KnownProviders = $sharedValues.KnownProviders
        $work = $using:queue
        $done = $using:results
        $ids = $using:vaultArray
        $jobCtx = $using:Ctx
        $reserve = $using:startReserveMs
        $index = 0
        while ($work.TryDequeue([ref] $index)) {
            $vaultId = $ids[$index]
            $started = [DateTimeOffset]::UtcNow
            if ((Get-RemainingMilliseconds -Ctx $jobCtx) -le $reserve) {
                $section = New-VaultSection -Ctx $jobCtx -VaultId $vaultId -Outcome 'NotStarted' -Message 'Not started: the deadline was near when its turn came; nothing was read or written. A rerun is safe.' -AgentMessage 'The agent report was not read: the vault was not started.'
            } else {
                try {
                    $section = Invoke-VaultRun -BaseCtx $jobCtx -VaultId $vaultId
                } catch {
                    $section = New-VaultSection -Ctx $jobCtx -VaultId $vaultId -Outcome 'Failed' -Message "Unexpected error: $($_.Exception.Message)" -AgentMessage 'The agent report was not read: the vault run failed.'
                }
            }
            $section.durationSeconds = [Math]::Round(([DateTimeOffset]::UtcNow - $started).TotalSeconds, 3)
            Write-Verbose "Vault ${vaultId}: $($section.outcome). $($section.message)"
            if (@('Succeeded', 'NoChange', 'DryRun') -notcontains $section.outcome) { Write-Warning "Vault ${vaultId}: $($section.outcome): $($section.message)" }
            $null = $done.TryAdd($index, $section)
            # A vault that ran mapping updates made and dropped runspaces of its own: collect them before the
            # next vault, so that the job's memory stays near one night's working set (the sandbox has 400 MB).
            if ($section.counts.planned -gt 0 -and -not $jobCtx.DryRun) { [GC]::Collect() }
        }
    }
}
# Every vault has its section, in the order of the job: one without a result says so.
$sections = [Collections.Generic.List[object]]::new()
for ($i = 0; $i -lt $vaultList.Count; $i++) {
    $section = $null
    if (-not $results.TryGetValue($i, [ref] $section)) {
        $section = New-VaultSection -Ctx $Ctx -VaultId $vaultList[$i] -Outcome 'NotStarted' -Message 'Not started: no result came back before the job ended. A rerun is safe.' -AgentMessage 'The agent report was not read: the vault was not started.'
        $section.durationSeconds = 0
    }
    $sections.Add($section)
}
foreach ($section in $sections) {
    $Summary.vaultOutcomes[$section.outcome] = 1 + [int] $Summary.vaultOutcomes[$section.outcome]
    foreach ($k in @($Summary.counts.Keys)) { $Summary.counts[$k] += $section.counts[$k] }
    if ($null -ne $section.agents) { foreach ($st in $AgentStatuses) { $Summary.agentCounts[$st] += $section.agents.counts[$st] } }
}
$overall = Get-FleetOutcome -VaultOutcomes $Summary.vaultOutcomes -DiscoveryFailed $discoveryFailed
$byOutcome = @($Summary.vaultOutcomes.Keys | ForEach-Object { "$($Summary.vaultOutcomes[$_]) $_" }) -join ', '
$fleetMessage = "$($sections.Count) vault(s)$(if ($byOutcome) { ": $byOutcome" })."
if ($discoveryFailed) { $fleetMessage = "$fleetMessage Discovery $($Summary.discovery.state): $($Summary.discovery.message)" }
if ($sections.Count -eq 0) { Write-Warning 'No vault in scope: nothing to reconcile.'; $fleetMessage = "No vault in scope. $fleetMessage" }
$final = Send-IngestionRows -Ctx $Ctx -Summary $Summary -Sections @($sections) -Outcome $overall -Message $fleetMessage
Complete-FleetRun -Summary $Summary -Sections $sections -Outcome $final.Outcome -Message $final.Message -MachineCap $numbers.MaxAgentsListed
