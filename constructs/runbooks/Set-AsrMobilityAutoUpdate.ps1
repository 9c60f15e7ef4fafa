#Requires -Version 7.4
<#
.SYNOPSIS
    Makes every replication protection container mapping of one Recovery Services vault, or of every
    vault of an estate (a list, or found each night through Azure Resource Graph), carry the desired
    Mobility-service auto-update setting, and reports exactly what it did.

.DESCRIPTION
    Runs in Azure Automation under the automation account's system-assigned managed identity,
    deployed by default on a PowerShell 7.6 runtime environment (runbook type PowerShell), or on 7.4
    when automation.runtime.version asks for it (7.1 and 7.2 are retired in Automation). The language
    stays within PowerShell 7.4 (#Requires -Version 7.4), so the same script runs on both. It is a
    reconciler: a second run changes nothing.
    It needs no module: the token comes from the managed identity endpoint and every call is
    a plain HTTPS request to Azure Resource Manager.

    After the reconciliation it reads the vault's replication protected items (read-only) and reports
    on every A2A and InMageRcm machine's Mobility agent, by the rules of classifyAgent in the domain.

    The work runs on one runspace pool for the job, as wide as MaxRequestsInFlight: vaults listed and
    reported on side by side (MaxParallelVaults at once), their mapping updates followed across the job
    (MaxConcurrency per vault), an operation's wait holding no runspace. A fleet (VaultResourceIds
    and/or discovery) is reconciled under one deadline, at most MaxRequestsInFlight ARM requests in flight across the job, each
    request bounded by RequestTimeoutSeconds, ARM's throttling honoured per subscription (429 and
    Retry-After; requests paced when x-ms-ratelimit-remaining-subscription-reads/-writes run low). A
    vault's failure stays its own; a vault whose turn comes when the deadline is near is NotStarted.
    One token serves the whole job. The fleet summary is compact: one section per vault with complete
    counts; the mapping and machine lists are capped over the whole job, most severe first, and the
    document is kept under 768 KiB (Automation's job stream limit is 1 MiB).

    When IngestionEndpoint and IngestionRuleId are given, the night's judgement also goes to two custom
    Log Analytics tables (AsrMobilityAgent_CL, AsrMobilityRun_CL) through the Logs Ingestion API, with a
    token for Azure Monitor from the same managed identity; a dry run sends its rows too (they are read-only
    facts). Sending never changes what was reconciled.

    Exactly one JSON document (summary schema 3) is written to the Output stream, last, on success and
    on failure. Outcomes other than Succeeded, NoChange and DryRun throw after the summary, so the
    Automation job is marked Failed and `pwsh -File` exits non-zero: among them AgentsNeedAttention
    (agents out of support or blocked), ReportFailed (the protected items could not be read) and
    IngestionFailed (rows could not all be sent to Log Analytics; the summary's ingestion section says which).

.PARAMETER VaultResourceId
    /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}

.PARAMETER VaultResourceIds
    A fleet: comma-separated vault ids (no duplicates), instead of VaultResourceId; may be combined with
    discovery (union, deduplicated case-insensitively). At most 2000 vaults per job in all. The summary
    has a section per vault and an overall outcome: Failed when no vault succeeded, PartiallyFailed when
    some did and others failed, TimedOut when the others only timed out or were not started.

.PARAMETER DiscoverySubscriptionIds
    Comma-separated subscription GUIDs: each night, the Recovery Services vaults in them are found
    through Azure Resource Graph (paged with $skipToken) and reconciled.

.PARAMETER DiscoveryManagementGroupId
    One management group id: the vaults under it are found through Azure Resource Graph.

.PARAMETER DiscoveryTag
    name=value (vaults carrying that tag with that value; the name compares case-insensitively as in
    ARM) or name alone (the tag present, any value). Optional; needs a discovery scope. No quotes,
    backslashes or control characters; the name cannot contain < > % & ? /.

.PARAMETER ExcludeVaultResourceIds
    Comma-separated vault ids never reconciled, even when listed or found.

.PARAMETER MaxParallelVaults
    1 to 32 vaults read (listed, reported on) side by side; their mapping updates go on across the job
    while the next vaults are read. Default 8; 1 reconciles one vault after another.

.PARAMETER MaxRequestsInFlight
    1 to 64 ARM requests in flight across the whole job. Default 16.

.PARAMETER RequestTimeoutSeconds
    5 to 300: the longest one HTTP request may take (never past the deadline). Default 60.

.PARAMETER AutoUpdateAction
    Enabled or Disabled.

.PARAMETER AutomationAccountArmId
    The automation account the A2A mappings use for updates. Required when enabling A2A.

.PARAMETER Providers
    Comma-separated subset of A2A,InMageRcm. Default A2A.

.PARAMETER AzureEnvironment
    AzureCloud, AzureUSGovernment or AzureChinaCloud.

.PARAMETER ArmEndpoint
    Overrides the Resource Manager endpoint. https only, except loopback hosts.

.PARAMETER DryRun
    Plans and reports; writes nothing.

.PARAMETER SkipAgentReport
    Does not read the protected items; the summary's agents section says Skipped.

.PARAMETER AgentExpiringWithinDays
    0 to 365: an agent whose support ends within this many days is SupportExpiring. Default 30.

.PARAMETER MaxAgentsListed
    0 to 5000 machines listed, most severe first: per vault, or over the whole job for a fleet; the counts
    always cover every machine. Default 1000.

.PARAMETER IngestionEndpoint
    The logs ingestion URI of a data collection endpoint (or of a data collection rule), for example
    https://dce-asr-weu-a1b2.westeurope-1.ingest.monitor.azure.com. With IngestionRuleId, each run sends one
    row per machine judged (stream Custom-AsrMobilityAgent_CL) and one row per vault (Custom-AsrMobilityRun_CL)
    to Log Analytics through the Logs Ingestion API, after the reconciliation. https only, except loopback
    hosts; no path. Give both or neither. Default: nothing is sent.

.PARAMETER IngestionRuleId
    The immutable id of the data collection rule that declares both streams: dcr- followed by 32 hex
    digits. The identity needs Monitoring Metrics Publisher on that rule. Rows that cannot be sent are
    listed in the summary's ingestion section and the job ends IngestionFailed (a worse outcome of the
    reconciliation stands).

.PARAMETER ReportTimeUtc
    Tests only: the time the report judges expiry dates against, ISO 8601 with a zone. Default: now.

.EXAMPLE
    pwsh -File Set-AsrMobilityAutoUpdate.ps1 -VaultResourceId /subscriptions/.../vaults/v1 -AutoUpdateAction Enabled -AutomationAccountArmId /subscriptions/.../automationAccounts/a1 -DryRun
#>
[CmdletBinding()]
param(
    [string] $VaultResourceId = '',
    [string] $VaultResourceIds = '',
    [string] $DiscoverySubscriptionIds = '',
    [string] $DiscoveryManagementGroupId = '',
    [string] $DiscoveryTag = '',
    [string] $ExcludeVaultResourceIds = '',
    [string] $MaxParallelVaults = '8',
    [string] $MaxRequestsInFlight = '16',
    [string] $RequestTimeoutSeconds = '60',
    [string] $AutoUpdateAction = '',
    [string] $AutomationAccountArmId = '',
    [string] $Providers = 'A2A',
    [string] $AzureEnvironment = 'AzureCloud',
    [string] $ArmEndpoint = '',
    [string] $ApiVersion = '2026-05-01',
    [string] $TimeoutSeconds = '3600',
    [string] $MaxConcurrency = '4',
    [string] $MaxRetries = '5',
    [switch] $DryRun,
    [switch] $SkipAgentReport,
    [string] $AgentExpiringWithinDays = '30',
    [string] $MaxAgentsListed = '1000',
    [string] $IngestionEndpoint = '',
    [string] $IngestionRuleId = '',
    # Tests only: the time the agent report judges expiry dates against (ISO 8601 with a zone). Default: now.
    # Untyped: a job's JSON parameters may arrive already turned into a DateTime, which a [string] would
    # reformat in the runtime's culture.
    $ReportTimeUtc = ''
)

$ErrorActionPreference = 'Stop'
# Automation records the Verbose stream only when the runbook writes to it; a job schedule passes no
# -Verbose, so progress is on unless the caller says -Verbose:$false.
if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = 'Continue' }
$RunbookVersion = '1.3.0'
$SummarySchemaVersion = 3
# The functions this script defines, loaded once into the session state of the job's runspace pool.
$FunctionsBefore = @(Get-ChildItem -Path function: | ForEach-Object { $_.Name })

# --- Cloud facts -------------------------------------------------------------------------------

$Clouds = @{
    AzureCloud        = @{ Arm = 'https://management.azure.com'; Audience = 'https://management.azure.com/' }
    AzureUSGovernment = @{ Arm = 'https://management.usgovcloudapi.net'; Audience = 'https://management.usgovcloudapi.net/' }
    AzureChinaCloud   = @{ Arm = 'https://management.chinacloudapi.cn'; Audience = 'https://management.chinacloudapi.cn/' }
}

$GuidPattern = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
# Segments follow Azure's naming rules, so an id can never carry a query, a fragment, white space or a
# dot segment into a URL; \A and \z, because $ would also accept a trailing newline. A vault id is the
# domain's parseVaultResourceId, tested against one table (test/fixtures/vault-id-cases.json): the fixed
# words compare case-insensitively as ARM does, the segments case-sensitively ((?-i): under -match the
# Kelvin sign would pass for a k).
$ResourceGroupPattern = '[-\p{L}\p{Nd}_.()]{0,89}[-\p{L}\p{Nd}_()]'
$VaultIdPattern = "(?-i)\A/(?i:subscriptions)/$GuidPattern/(?i:resourceGroups)/$ResourceGroupPattern/(?i:providers/Microsoft\.RecoveryServices/vaults)/[A-Za-z][A-Za-z0-9-]{1,49}/?\z"
$AccountIdPattern = "\A/subscriptions/$GuidPattern/resourceGroups/$ResourceGroupPattern/providers/Microsoft\.Automation/automationAccounts/[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]/?\z"
$KnownProviders = @('A2A', 'InMageRcm')
# A fleet job reconciles at most this many vaults (listed and found): the vaults run side by side under
# one deadline; the bench measured 500 vaults well inside it, and the compact summary stays under its
# byte budget at this size. Listed ids also count against Automation's 512 KB job parameter limit.
$MaxFleetVaults = 2000
# The fleet summary's lists (mappings and machines) are capped over the whole job; the document is cut
# further, least severe entries first, until it fits this budget (Automation's job stream limit is 1 MiB).
$MaxFleetMappingsListed = 1000
$SummaryByteBudget = 786432
$SubscriptionListMax = 1000
$ManagementGroupPattern = '\A[-\w.()]{0,89}[-\w()]\z'
$ResourceGraphApiVersion = '2024-04-01'
$FleetOutcomePrecedence = @('Failed', 'PartiallyFailed', 'TimedOut', 'ReportFailed', 'AgentsNeedAttention', 'Succeeded', 'DryRun', 'NoChange')
$RetryableStatus = @(408, 429, 500, 502, 503, 504)
# The parameters, by name, as Resolve-RunInput reads them (src/input.ps1).
$RunParameterNames = @(
    'VaultResourceId', 'VaultResourceIds', 'DiscoverySubscriptionIds', 'DiscoveryManagementGroupId', 'DiscoveryTag', 'ExcludeVaultResourceIds',
    'MaxParallelVaults', 'MaxRequestsInFlight', 'RequestTimeoutSeconds', 'AutoUpdateAction', 'AutomationAccountArmId', 'Providers',
    'AzureEnvironment', 'ArmEndpoint', 'ApiVersion', 'TimeoutSeconds', 'MaxConcurrency', 'MaxRetries', 'DryRun', 'SkipAgentReport',
    'AgentExpiringWithinDays', 'MaxAgentsListed', 'IngestionEndpoint', 'IngestionRuleId', 'ReportTimeUtc'
)

# --- ARM client: helpers, the managed-identity token, the throttle budget, one request, a list ---------
# Every failure, wherever it is made (a request, a list, discovery, a mapping), has one shape:
# @{ Outcome = 'Failed' | 'TimedOut'; Code = '<ARM error code or ours>'; Message = '<what happened>' }.

function ConvertTo-NormalizedId {
    param([string] $Id)
    if ([string]::IsNullOrEmpty($Id)) { return '' }
    return $Id.TrimEnd('/').ToLowerInvariant()
}

function Test-LoopbackHost {
    param([string] $HostName)
    return $HostName -ieq 'localhost' -or $HostName -eq '::1' -or $HostName -eq '[::1]' -or $HostName -match '^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$'
}

function Test-SameOrigin {
    param([string] $Url, [Uri] $Origin)
    $parsed = $null
    if (-not [Uri]::TryCreate($Url, [UriKind]::Absolute, [ref] $parsed)) { return $false }
    return ($parsed.Scheme -ieq $Origin.Scheme) -and ($parsed.Host -ieq $Origin.Host) -and ($parsed.Port -eq $Origin.Port)
}

function Get-HeaderValue {
    param($Headers, [string] $Name)
    if ($null -eq $Headers) { return $null }
    foreach ($key in $Headers.Keys) {
        if ($key -ieq $Name) {
            $value = $Headers[$key]
            if ($value -is [array]) { return [string] $value[0] }
            return [string] $value
        }
    }
    return $null
}

function Get-RetryDelayMilliseconds {
    <# Server-suggested wait: retry-after-ms, x-ms-retry-after-ms, then Retry-After (seconds or HTTP date). #>
    param($Headers)
    foreach ($name in @('retry-after-ms', 'x-ms-retry-after-ms')) {
        $raw = Get-HeaderValue -Headers $Headers -Name $name
        $ms = 0
        if ($raw -and [int]::TryParse($raw.Trim(), [ref] $ms) -and $ms -ge 0) { return $ms }
    }
    $raw = Get-HeaderValue -Headers $Headers -Name 'Retry-After'
    if ($raw) {
        $seconds = 0
        if ([int]::TryParse($raw.Trim(), [ref] $seconds) -and $seconds -ge 0) { return $seconds * 1000 }
        $date = [DateTimeOffset]::MinValue
        if ([DateTimeOffset]::TryParse($raw.Trim(), [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::AssumeUniversal, [ref] $date)) {
            return [Math]::Max(0, [int] ($date - [DateTimeOffset]::UtcNow).TotalMilliseconds)
        }
    }
    return $null
}

function Get-BackoffMilliseconds {
    <# Exponential backoff with full jitter, capped at 60 s. #>
    param([int] $Attempt)
    $ceiling = [Math]::Min(60000, 1000 * [Math]::Pow(2, [Math]::Min($Attempt, 10)))
    return [int] (Get-Random -Minimum ([int] ($ceiling / 2)) -Maximum ([int] $ceiling + 1))
}

function Get-RemainingMilliseconds {
    param($Ctx)
    return [int64] ($Ctx.Deadline - [DateTimeOffset]::UtcNow).TotalMilliseconds
}

function ConvertFrom-ArmBody {
    <# Parses a response body as JSON; returns $null for an empty or non-JSON body. #>
    param($Content)
    if ($null -eq $Content) { return $null }
    $text = if ($Content -is [byte[]]) { [Text.Encoding]::UTF8.GetString($Content) } else { [string] $Content }
    if ([string]::IsNullOrWhiteSpace($text)) { return $null }
    $trimmed = $text.TrimStart()
    if (-not ($trimmed.StartsWith('{') -or $trimmed.StartsWith('['))) { return $null }
    try { return $text | ConvertFrom-Json -Depth 64 } catch { return $null }
}

function Get-ArmError {
    <# The ARM error code and message of a failed response, or a description of a body that is not ARM JSON. #>
    param($Response)
    $body = ConvertFrom-ArmBody -Content $Response.Content
    if ($null -ne $body -and $null -ne $body.error) {
        return @{ Outcome = 'Failed'; Code = [string] $body.error.code; Message = [string] $body.error.message }
    }
    $type = Get-HeaderValue -Headers $Response.Headers -Name 'Content-Type'
    return @{ Outcome = 'Failed'; Code = "Http$($Response.StatusCode)"; Message = "HTTP $($Response.StatusCode) with a body that is not an ARM error (content type '$type')" }
}

function Get-ArmToken {
    <# A cached managed-identity token; refreshed near expiry or when forced after a 401. #>
    param($Ctx, [switch] $Force)
    $state = $Ctx.TokenState
    [Threading.Monitor]::Enter($state.SyncRoot)
    try {
        $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
        if (-not $Force -and $state.Token -and ($state.ExpiresOn - 300) -gt $now) { return $state.Token }
        $uri = '{0}{1}resource={2}&api-version=2019-08-01' -f $Ctx.IdentityEndpoint, ($(if ($Ctx.IdentityEndpoint.Contains('?')) { '&' } else { '?' })), [Uri]::EscapeDataString($Ctx.Audience)
        $attempt = 0
        while ($true) {
            $attempt++
            $response = $null
            try {
                $response = Invoke-WebRequest -Uri $uri -Method Get -Headers @{ 'X-IDENTITY-HEADER' = $Ctx.IdentityHeader; 'Metadata' = 'true' } -SkipHttpErrorCheck -TimeoutSec ([int] [Math]::Max(1, [Math]::Min(60, [Math]::Ceiling((Get-RemainingMilliseconds -Ctx $Ctx) / 1000.0)))) -Verbose:$false
            } catch {
                if ($attempt -gt $Ctx.MaxRetries) { throw "The managed identity endpoint did not answer after $attempt attempts: $($_.Exception.Message)" }
            }
            if ($null -ne $response) {
                $code = [int] $response.StatusCode
                if ($code -eq 200) {
                    $body = ConvertFrom-ArmBody -Content $response.Content
                    if ($null -eq $body -or [string]::IsNullOrEmpty($body.access_token)) { throw 'The managed identity endpoint answered 200 without an access_token.' }
                    $expires = 0
                    if (-not [int64]::TryParse([string] $body.expires_on, [ref] $expires)) { $expires = $now + 300 }
                    $state.Token = [string] $body.access_token
                    $state.ExpiresOn = $expires
                    return $state.Token
                }
                if ($Ctx.RetryableStatus -notcontains $code -or $attempt -gt $Ctx.MaxRetries) {
                    throw "The managed identity endpoint answered HTTP $code."
                }
            }
            $wait = Get-RetryDelayMilliseconds -Headers $response.Headers
            if ($null -eq $wait) { $wait = Get-BackoffMilliseconds -Attempt $attempt }
            if ($wait -ge (Get-RemainingMilliseconds -Ctx $Ctx)) { throw [TimeoutException]::new('The deadline passed while waiting for a managed identity token.') }
            Start-Sleep -Milliseconds $wait
        }
    } finally {
        [Threading.Monitor]::Exit($state.SyncRoot)
    }
}

function Get-ThrottleBudget {
    <# The shared throttling state of the subscription a URL is in ('tenant' for tenant-level calls). #>
    param($Ctx, [string] $Url)
    $key = 'tenant'
    if ($Url -match '/subscriptions/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(/|\?|\z)') { $key = $Matches[1].ToLowerInvariant() }
    $budget = $null
    if (-not $Ctx.Budgets.TryGetValue($key, [ref] $budget)) {
        $null = $Ctx.Budgets.TryAdd($key, [hashtable]::Synchronized(@{ Key = $key; Next = [DateTimeOffset]::MinValue; ReadPaceMs = 0; WritePaceMs = 0; Paced = $false }))
        $null = $Ctx.Budgets.TryGetValue($key, [ref] $budget)
    }
    return $budget
}

function Wait-ThrottleBudget {
    <#
    Takes the subscription's next slot: after any pause ARM asked for (429), and spaced by the pace set
    when its remaining reads or writes ran low. False when the slot is past the deadline.
    #>
    param($Ctx, $Budget, [string] $Method)
    [Threading.Monitor]::Enter($Budget.SyncRoot)
    try {
        $now = [DateTimeOffset]::UtcNow
        $slot = if ($Budget.Next -gt $now) { $Budget.Next } else { $now }
        $pace = if ($Method -ieq 'Get') { $Budget.ReadPaceMs } else { [Math]::Max($Budget.ReadPaceMs, $Budget.WritePaceMs) }
        if ($pace -gt 0) { $Budget.Next = $slot.AddMilliseconds($pace) }
    } finally {
        [Threading.Monitor]::Exit($Budget.SyncRoot)
    }
    $wait = [int64] ($slot - [DateTimeOffset]::UtcNow).TotalMilliseconds
    if ($wait -le 0) { return $true }
    if ($wait -ge (Get-RemainingMilliseconds -Ctx $Ctx)) { return $false }
    Start-Sleep -Milliseconds $wait
    return $true
}

function Update-ThrottleBudget {
    <#
    Reads ARM's throttling headers into the subscription's budget: below the low-water mark of remaining
    reads (or writes), requests in that subscription are spaced, more the fewer are left (1 s at none);
    a 429's wait holds back every request in the subscription; Resource Graph's user quota likewise.
    #>
    param($Ctx, $Budget, $Response, [string] $Method, $WaitMs)
    $reads = Get-HeaderValue -Headers $Response.Headers -Name 'x-ms-ratelimit-remaining-subscription-reads'
    $writes = Get-HeaderValue -Headers $Response.Headers -Name 'x-ms-ratelimit-remaining-subscription-writes'
    $quota = Get-HeaderValue -Headers $Response.Headers -Name 'x-ms-user-quota-remaining'
    $resets = Get-HeaderValue -Headers $Response.Headers -Name 'x-ms-user-quota-resets-after'
    [Threading.Monitor]::Enter($Budget.SyncRoot)
    try {
        $n = 0
        if ($reads -and [int]::TryParse($reads.Trim(), [ref] $n)) {
            $Budget.ReadPaceMs = if ($n -lt $Ctx.LowReads) { [int] [Math]::Ceiling(1000.0 * ($Ctx.LowReads - [Math]::Max(0, $n)) / $Ctx.LowReads) } else { 0 }
        }
        if ($writes -and [int]::TryParse($writes.Trim(), [ref] $n)) {
            $Budget.WritePaceMs = if ($n -lt $Ctx.LowWrites) { [int] [Math]::Ceiling(1000.0 * ($Ctx.LowWrites - [Math]::Max(0, $n)) / $Ctx.LowWrites) } else { 0 }
        }
        $hold = if ($null -ne $WaitMs) { [int64] $WaitMs } else { 0 }
        $span = [TimeSpan]::Zero
        if ($quota -and [int]::TryParse($quota.Trim(), [ref] $n) -and $n -le 0 -and $resets -and [TimeSpan]::TryParse($resets.Trim(), [Globalization.CultureInfo]::InvariantCulture, [ref] $span)) {
            $hold = [Math]::Max($hold, [int64] $span.TotalMilliseconds)
        }
        if ($hold -gt 0) {
            $until = [DateTimeOffset]::UtcNow.AddMilliseconds($hold)
            if ($until -gt $Budget.Next) { $Budget.Next = $until }
        }
        $paced = ($Budget.ReadPaceMs + $Budget.WritePaceMs) -gt 0
        if ($paced -ne $Budget.Paced) {
            $Budget.Paced = $paced
            if ($paced) { Write-Verbose "Subscription $($Budget.Key): ARM reports few requests left (reads $reads, writes $writes); pacing its requests ($($Budget.ReadPaceMs) ms between reads, $($Budget.WritePaceMs) ms between writes)." }
            else { Write-Verbose "Subscription $($Budget.Key): ARM's remaining requests recovered; no more pacing." }
        }
    } finally {
        [Threading.Monitor]::Exit($Budget.SyncRoot)
    }
}

function Invoke-ArmRequest {
    <#
    One ARM request with the retry policy: transport errors, 408, 429, 500, 502, 503 and 504 are
    retried up to MaxRetries times, waiting as the server asks or with backoff, never past the
    deadline; a 401 refreshes the token once. Returns @{ Response; Attempts; TimedOut; Error }.
    The bearer token is only ever sent to the configured ARM origin.
    #>
    param($Ctx, [string] $Method, [string] $Url, [string] $Body)
    if (-not (Test-SameOrigin -Url $Url -Origin $Ctx.ArmOrigin)) {
        return @{ Response = $null; Attempts = 0; TimedOut = $false; Error = @{ Outcome = 'Failed'; Code = 'ForeignHost'; Message = "Refused to send the token to '$(([Uri] $Url).Authority)', which is not the configured ARM host '$($Ctx.ArmOrigin.Authority)'." } }
    }
    $attempts = 0
    $refreshed = $false
    $budget = Get-ThrottleBudget -Ctx $Ctx -Url $Url
    $deadlineError = @{ Response = $null; Attempts = $attempts; TimedOut = $true; Error = @{ Outcome = 'TimedOut'; Code = 'DeadlineExceeded'; Message = 'The deadline passed before the request could be sent.' } }
    while ($true) {
        if ((Get-RemainingMilliseconds -Ctx $Ctx) -le 0) { $deadlineError.Attempts = $attempts; return $deadlineError }
        # The subscription's throttling budget, then a place among the job's requests in flight.
        if (-not (Wait-ThrottleBudget -Ctx $Ctx -Budget $budget -Method $Method)) { $deadlineError.Attempts = $attempts; return $deadlineError }
        $remaining = Get-RemainingMilliseconds -Ctx $Ctx
        if ($remaining -le 0 -or -not $Ctx.Gate.Wait([int] [Math]::Min([int]::MaxValue, $remaining))) { $deadlineError.Attempts = $attempts; return $deadlineError }
        $attempts++
        $response = $null
        $transportError = $null
        try {
            $token = Get-ArmToken -Ctx $Ctx
            $headers = @{ Authorization = "Bearer $token"; 'x-ms-client-request-id' = [guid]::NewGuid().ToString() }
            # A request never outlives the deadline nor RequestTimeoutSeconds: a hung connection costs one
            # request's timeout (then it is retried), not what is left of the run.
            $timeoutSec = [int] [Math]::Max(1, [Math]::Min($Ctx.RequestTimeoutSeconds, [Math]::Ceiling((Get-RemainingMilliseconds -Ctx $Ctx) / 1000.0)))
            # One web session per thread: PowerShell 7.4+ then reuses its connection (and TLS session)
            # instead of opening one per request; 7.2 ignores the reuse and behaves as before. (A
            # changed timeout renews the connection: that happens only in the last 100 s of a run.)
            $thread = [Environment]::CurrentManagedThreadId
            $session = $null
            if (-not $Ctx.WebSessions.TryGetValue($thread, [ref] $session)) {
                $session = [Microsoft.PowerShell.Commands.WebRequestSession]::new()
                $null = $Ctx.WebSessions.TryAdd($thread, $session)
            }
            $params = @{ Uri = $Url; Method = $Method; Headers = $headers; WebSession = $session; SkipHttpErrorCheck = $true; TimeoutSec = $timeoutSec; Verbose = $false }
            if ($PSBoundParameters.ContainsKey('Body') -and $Body) { $params.Body = $Body; $params.ContentType = 'application/json' }
            $response = Invoke-WebRequest @params
        } catch [TimeoutException] {
            # The deadline (token wait, or the last request of the run), or RequestTimeoutSeconds: the
            # latter is a transport error like any other, retried while the deadline allows.
            if ((Get-RemainingMilliseconds -Ctx $Ctx) -le 0 -or $_.Exception.Message -like 'The deadline passed*') {
                return @{ Response = $null; Attempts = $attempts; TimedOut = $true; Error = @{ Outcome = 'TimedOut'; Code = 'DeadlineExceeded'; Message = $_.Exception.Message } }
            }
            $transportError = "No answer within $timeoutSec s (RequestTimeoutSeconds): $($_.Exception.Message)"
        } catch {
            $transportError = $_.Exception.Message
        } finally {
            $null = $Ctx.Gate.Release()
        }
        if ($null -ne $response) {
            $code = [int] $response.StatusCode
            $asked = if ($code -eq 429) { Get-RetryDelayMilliseconds -Headers $response.Headers } else { $null }
            if ($code -eq 429 -and $null -eq $asked) { $asked = Get-BackoffMilliseconds -Attempt $attempts }
            Update-ThrottleBudget -Ctx $Ctx -Budget $budget -Response $response -Method $Method -WaitMs $asked
            if ($code -eq 401 -and -not $refreshed) {
                $refreshed = $true
                Write-Verbose "HTTP 401 from $Method $($Ctx.ArmOrigin.Authority): refreshing the token once."
                try { $null = Get-ArmToken -Ctx $Ctx -Force } catch { return @{ Response = $response; Attempts = $attempts; TimedOut = $false; Error = @{ Outcome = 'Failed'; Code = 'TokenRefreshFailed'; Message = $_.Exception.Message } } }
                continue
            }
            if ($Ctx.RetryableStatus -notcontains $code) { return @{ Response = $response; Attempts = $attempts; TimedOut = $false; Error = $null } }
        }
        if ($attempts -gt $Ctx.MaxRetries) {
            if ($null -ne $response) { return @{ Response = $response; Attempts = $attempts; TimedOut = $false; Error = $null } }
            return @{ Response = $null; Attempts = $attempts; TimedOut = $false; Error = @{ Outcome = 'Failed'; Code = 'TransportError'; Message = $transportError } }
        }
        $wait = if ($null -ne $response) { Get-RetryDelayMilliseconds -Headers $response.Headers } else { $null }
        if ($null -eq $wait) { $wait = Get-BackoffMilliseconds -Attempt $attempts }
        $what = if ($null -ne $response) { "HTTP $([int] $response.StatusCode)" } else { "transport error ($transportError)" }
        if ($wait -ge (Get-RemainingMilliseconds -Ctx $Ctx)) {
            return @{ Response = $response; Attempts = $attempts; TimedOut = $true; Error = @{ Outcome = 'TimedOut'; Code = 'DeadlineExceeded'; Message = "$what; the server asked to wait $wait ms, past the deadline." } }
        }
        Write-Verbose "$what from $Method; attempt $attempts of $($Ctx.MaxRetries + 1); waiting $wait ms."
        Start-Sleep -Milliseconds $wait
    }
}

function Get-ArmList {
    <# Every item of an ARM list, following nextLink to the end. Failure is a failure (@{ Outcome; Code; Message }) or $null. #>
    param($Ctx, [string] $Url, [string] $What)
    $items = [Collections.Generic.List[object]]::new()
    $pages = 0
    $failure = $null
    try {
        while ($Url) {
            $pages++
            if ($pages -gt 10000) { throw "More than 10000 pages of ${What}: stopping." }
            $call = Invoke-ArmRequest -Ctx $Ctx -Method Get -Url $Url
            if ($call.TimedOut) { $failure = @{ Outcome = 'TimedOut'; Code = 'DeadlineExceeded'; Message = "Listing $What did not finish before the deadline: $($call.Error.Message)" }; break }
            if ($null -eq $call.Response) { $failure = @{ Outcome = 'Failed'; Code = $call.Error.Code; Message = "Listing $What failed: $($call.Error.Code): $($call.Error.Message)" }; break }
            if ([int] $call.Response.StatusCode -ne 200) {
                $err = Get-ArmError -Response $call.Response
                $failure = @{ Outcome = 'Failed'; Code = $err.Code; Message = "Listing $What failed with HTTP $([int] $call.Response.StatusCode): $($err.Code): $($err.Message)" }
                break
            }
            $page = ConvertFrom-ArmBody -Content $call.Response.Content
            if ($null -eq $page) { $failure = @{ Outcome = 'Failed'; Code = 'NotJson'; Message = "Listing $What returned a body that is not JSON." }; break }
            foreach ($m in @($page.value)) { if ($null -ne $m) { $items.Add($m) } }
            $Url = [string] $page.nextLink
            if ($Url -and -not (Test-SameOrigin -Url $Url -Origin $Ctx.ArmOrigin)) {
                $failure = @{ Outcome = 'Failed'; Code = 'ForeignHost'; Message = "A nextLink points at '$(([Uri] $Url).Authority)', not the configured ARM host; the token was not sent there." }
                break
            }
        }
    } catch {
        $failure = @{ Outcome = 'Failed'; Code = 'UnexpectedError'; Message = "Listing $What failed: $($_.Exception.Message)" }
    }
    return @{ Items = $items; Failure = $failure; Pages = $pages }
}

# --- Mappings: classify, update, follow, verify ----------------------------------------------------

function Get-DesiredInMageRcmValue {
    <# The string to write for InMageRcm, in the vocabulary the service used when it was read. #>
    param([string] $Current, [bool] $Enable)
    if ($Current -ieq 'Enabled' -or $Current -ieq 'Disabled') { return $(if ($Enable) { 'Enabled' } else { 'Disabled' }) }
    return $(if ($Enable) { 'true' } else { 'false' })
}

function Test-InMageRcmValue {
    param([string] $Value, [bool] $Enable)
    if ($Enable) { return $Value -ieq 'true' -or $Value -ieq 'Enabled' }
    return $Value -ieq 'false' -or $Value -ieq 'Disabled'
}

function Get-MappingClassification {
    <# Decides what a mapping needs: Skipped, Unchanged or Planned, with the reason and the body to send. #>
    param($Mapping, $Ctx)
    $props = $Mapping.properties
    $details = if ($null -ne $props) { $props.providerSpecificDetails } else { $null }
    $item = [ordered]@{
        id = [string] $Mapping.id; provider = $null; state = $null; before = $null; desired = $null; result = $null; reason = $null
        operationStatus = $null; errorCode = $null; errorMessage = $null; requestId = $null; attempts = 0; body = $null
    }
    if ($null -ne $props) { $item.state = [string] $props.state }
    if ($null -eq $details -or [string]::IsNullOrEmpty([string] $details.instanceType)) {
        $item.result = 'Skipped'; $item.reason = 'The mapping has no provider details.'; return $item
    }
    $provider = [string] $details.instanceType
    $item.provider = $provider
    $selected = $Ctx.Providers | Where-Object { $_ -ieq $provider }
    if (-not $selected) { $item.result = 'Skipped'; $item.reason = "Provider '$provider' is not in Providers ($($Ctx.Providers -join ','))."; return $item }
    if ([string] $props.state -ine 'Paired') { $item.result = 'Skipped'; $item.reason = "State is '$($props.state)', not Paired."; return $item }
    if (-not (ConvertTo-NormalizedId -Id ([string] $Mapping.id)).StartsWith($Ctx.VaultKey + '/')) {
        $item.result = 'Skipped'; $item.reason = 'The mapping id is not under the vault.'; return $item
    }
    $enable = $Ctx.Action -eq 'Enabled'
    if ($provider -ieq 'A2A') {
        $status = [string] $details.agentAutoUpdateStatus
        $account = [string] $details.automationAccountArmId
        $auth = [string] $details.automationAccountAuthenticationType
        $healthCount = @($props.healthErrorDetails | Where-Object { $null -ne $_ }).Count
        $item.before = [ordered]@{ agentAutoUpdateStatus = $status; automationAccountArmId = $account; automationAccountAuthenticationType = $auth; healthErrors = $healthCount }
        $item.desired = [ordered]@{ agentAutoUpdateStatus = $Ctx.Action }
        if ($enable) {
            $item.desired.automationAccountArmId = $Ctx.AccountId
            $item.desired.automationAccountAuthenticationType = 'SystemAssignedIdentity'
            $why = @()
            if ($status -ine 'Enabled') { $why += "auto-update is '$status'" }
            if ((ConvertTo-NormalizedId -Id $account) -ne (ConvertTo-NormalizedId -Id $Ctx.AccountId)) { $why += 'the automation account differs' }
            if ($auth -ine 'SystemAssignedIdentity') { $why += "authentication is '$auth' (migrating to SystemAssignedIdentity)" }
            if ($healthCount -gt 0) { $why += "$healthCount health error(s)" }
            if ($why.Count -eq 0) { $item.result = 'Unchanged'; $item.reason = 'Already enabled with this account and the managed identity, and healthy.'; return $item }
            $item.reason = ($why -join '; ')
        } else {
            if ($status -ieq 'Disabled') { $item.result = 'Unchanged'; $item.reason = 'Already disabled.'; return $item }
            $item.reason = "auto-update is '$status'"
        }
        $providerInput = [ordered]@{ instanceType = 'A2A'; agentAutoUpdateStatus = $Ctx.Action; automationAccountAuthenticationType = 'SystemAssignedIdentity' }
        if ($Ctx.AccountId) { $providerInput.automationAccountArmId = $Ctx.AccountId }
        $item.body = [ordered]@{ properties = [ordered]@{ providerSpecificInput = $providerInput } }
        $item.result = 'Planned'
        return $item
    }
    # InMageRcm
    $current = [string] $details.enableAgentAutoUpgrade
    $item.before = [ordered]@{ enableAgentAutoUpgrade = $current }
    if (Test-InMageRcmValue -Value $current -Enable $enable) {
        $item.desired = [ordered]@{ enableAgentAutoUpgrade = $current }
        $item.result = 'Unchanged'; $item.reason = "enableAgentAutoUpgrade is already '$current'."; return $item
    }
    $value = Get-DesiredInMageRcmValue -Current $current -Enable $enable
    $item.desired = [ordered]@{ enableAgentAutoUpgrade = $value }
    $item.reason = "enableAgentAutoUpgrade is '$current'"
    $item.body = [ordered]@{ properties = [ordered]@{ providerSpecificInput = [ordered]@{ instanceType = 'InMageRcm'; enableAgentAutoUpgrade = $value } } }
    $item.result = 'Planned'
    return $item
}

function Test-MappingMatches {
    <# True when a mapping read back carries what was asked for. #>
    param($Mapping, $Item, $Ctx)
    $details = $Mapping.properties.providerSpecificDetails
    if ($null -eq $details) { return $false }
    if ($Item.provider -ieq 'A2A') {
        if ([string] $details.agentAutoUpdateStatus -ine $Ctx.Action) { return $false }
        if ($Ctx.Action -eq 'Enabled') {
            if ((ConvertTo-NormalizedId -Id ([string] $details.automationAccountArmId)) -ne (ConvertTo-NormalizedId -Id $Ctx.AccountId)) { return $false }
            if ([string] $details.automationAccountAuthenticationType -ine 'SystemAssignedIdentity') { return $false }
        }
        return $true
    }
    return Test-InMageRcmValue -Value ([string] $details.enableAgentAutoUpgrade) -Enable ($Ctx.Action -eq 'Enabled')
}

function Set-ItemFailure {
    <# Ends a mapping's update as Failed or TimedOut with the failure (@{ Outcome; Code; Message }) and the request id. #>
    param($Item, [string] $Result, $Failure, $Response)
    $Item.result = $Result
    if ($null -ne $Failure) { $Item.errorCode = $Failure.Code; $Item.errorMessage = $Failure.Message }
    if ($null -ne $Response) {
        $rid = Get-HeaderValue -Headers $Response.Headers -Name 'x-ms-request-id'
        if ($rid) { $Item.requestId = $rid }
    }
}

# A mapping's update runs as steps the engine schedules (src/engine.ps1): Start-MappingUpdate (PATCH),
# then Step-MappingOperation (one poll of the operation) until it ends, then Confirm-MappingUpdate (GET,
# the setting read back). Each step returns the next, @{ Stage; WaitMs }, or $null when the mapping's
# result is final; a wait is never taken past the deadline. $Follow carries what the steps share.

function Start-MappingUpdate {
    <# PATCH one mapping: the next step is a poll of its operation, or the read-back. #>
    param($Item, $Ctx, [hashtable] $Follow)
    if ((Get-RemainingMilliseconds -Ctx $Ctx) -le 0) {
        $Item.result = 'TimedOut'; $Item.reason = 'The deadline passed before this mapping was submitted; a rerun is safe.'; return $null
    }
    $Follow.Url = '{0}{1}?api-version={2}' -f $Ctx.ArmBase, $Item.id, $Ctx.ApiVersion
    $json = $Item.body | ConvertTo-Json -Depth 12 -Compress
    $call = Invoke-ArmRequest -Ctx $Ctx -Method Patch -Url $Follow.Url -Body $json
    $Item.attempts += $call.Attempts
    if ($call.TimedOut) { Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure $call.Error -Response $call.Response; return $null }
    if ($null -ne $call.Error -and $null -eq $call.Response) { Set-ItemFailure -Item $Item -Result 'Failed' -Failure $call.Error -Response $null; return $null }
    $response = $call.Response
    $rid = Get-HeaderValue -Headers $response.Headers -Name 'x-ms-request-id'
    if ($rid) { $Item.requestId = $rid }
    $code = [int] $response.StatusCode
    if ($code -ne 200 -and $code -ne 201 -and $code -ne 202) {
        Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $response) -Response $response; return $null
    }
    $Follow.VerifyTries = 1
    if ($code -ne 202) { $Item.operationStatus = 'Succeeded'; return @{ Stage = 'Verify'; WaitMs = 0 } }
    $asyncUrl = Get-HeaderValue -Headers $response.Headers -Name 'Azure-AsyncOperation'
    $locationUrl = Get-HeaderValue -Headers $response.Headers -Name 'Location'
    $wait = Get-RetryDelayMilliseconds -Headers $response.Headers
    if ($null -eq $wait) { $wait = $Ctx.PollIntervalMs }
    $Follow.PollUrl = if ($asyncUrl) { $asyncUrl } elseif ($locationUrl) { $locationUrl } else { $null }
    $Follow.Async = [bool] $asyncUrl
    if (-not $Follow.PollUrl) {
        # A 202 without an operation URL is verified after the wait it asked for, up to 5 times.
        $Item.operationStatus = 'Accepted'
        $Follow.VerifyTries = 5
        $Follow.WaitMs = $wait
        return Wait-MappingStep -Item $Item -Ctx $Ctx -Stage 'Verify' -WaitMs $wait -Message 'The deadline passed before the change could be verified; a rerun is safe.'
    }
    if (-not (Test-SameOrigin -Url $Follow.PollUrl -Origin $Ctx.ArmOrigin)) {
        Set-ItemFailure -Item $Item -Result 'Failed' -Failure @{ Outcome = 'Failed'; Code = 'ForeignHost'; Message = "The operation URL points at '$(([Uri] $Follow.PollUrl).Authority)', not the configured ARM host; the token was not sent." } -Response $response
        return $null
    }
    return Wait-MappingStep -Item $Item -Ctx $Ctx -Stage 'Poll' -WaitMs $wait -Message 'The operation was still running at the deadline; a rerun is safe.'
}

function Wait-MappingStep {
    <# The next step after a wait, or TimedOut when the wait would pass the deadline. #>
    param($Item, $Ctx, [string] $Stage, $WaitMs, [string] $Message)
    if ($WaitMs -ge (Get-RemainingMilliseconds -Ctx $Ctx)) {
        if ($Stage -eq 'Poll') { $Item.operationStatus = if ($Item.operationStatus) { $Item.operationStatus } else { 'InProgress' } }
        Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure @{ Outcome = 'TimedOut'; Code = 'DeadlineExceeded'; Message = $Message } -Response $null
        return $null
    }
    return @{ Stage = $Stage; WaitMs = [int64] $WaitMs }
}

function Step-MappingOperation {
    <# One poll of the operation (Azure-AsyncOperation status, or Location until it stops answering 202). #>
    param($Item, $Ctx, [hashtable] $Follow)
    $poll = Invoke-ArmRequest -Ctx $Ctx -Method Get -Url $Follow.PollUrl
    $Item.attempts += $poll.Attempts
    if ($poll.TimedOut) { Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure $poll.Error -Response $poll.Response; return $null }
    if ($null -eq $poll.Response) { Set-ItemFailure -Item $Item -Result 'Failed' -Failure $poll.Error -Response $null; return $null }
    $pollCode = [int] $poll.Response.StatusCode
    $next = Get-RetryDelayMilliseconds -Headers $poll.Response.Headers
    $wait = if ($null -ne $next) { $next } else { $Ctx.PollIntervalMs }
    $again = 'The operation was still running at the deadline; a rerun is safe.'
    if (-not $Follow.Async) {
        if ($pollCode -eq 202) { return Wait-MappingStep -Item $Item -Ctx $Ctx -Stage 'Poll' -WaitMs $wait -Message $again }
        if ($pollCode -ge 200 -and $pollCode -lt 300) { $Item.operationStatus = 'Succeeded'; return @{ Stage = 'Verify'; WaitMs = 0 } }
        Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $poll.Response) -Response $poll.Response; return $null
    }
    if ($pollCode -ne 200) { Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $poll.Response) -Response $poll.Response; return $null }
    $status = [string] (ConvertFrom-ArmBody -Content $poll.Response.Content).status
    $Item.operationStatus = $status
    switch -Regex ($status) {
        '^Succeeded$' { return @{ Stage = 'Verify'; WaitMs = 0 } }
        '^(PartiallySucceeded|CompletedWithInformation)$' {
            Write-Warning "Mapping $($Item.id): the operation ended '$status'."
            return @{ Stage = 'Verify'; WaitMs = 0 }
        }
        '^(Failed|Canceled|Cancelled)$' {
            $opBody = ConvertFrom-ArmBody -Content $poll.Response.Content
            $err = if ($null -ne $opBody -and $null -ne $opBody.error) { @{ Outcome = 'Failed'; Code = [string] $opBody.error.code; Message = [string] $opBody.error.message } } else { @{ Outcome = 'Failed'; Code = "Operation$status"; Message = "The operation ended '$status'." } }
            Set-ItemFailure -Item $Item -Result 'Failed' -Failure $err -Response $poll.Response
            return $null
        }
    }
    Write-Verbose "Mapping $($Item.id): operation status '$status'; still running."
    return Wait-MappingStep -Item $Item -Ctx $Ctx -Stage 'Poll' -WaitMs $wait -Message $again
}

function Confirm-MappingUpdate {
    <# Reads the mapping back: Succeeded when it carries the desired setting (an Accepted 202 is read up to 5 times). #>
    param($Item, $Ctx, [hashtable] $Follow)
    $Follow.VerifyCount = 1 + [int] $Follow.VerifyCount
    $get = Invoke-ArmRequest -Ctx $Ctx -Method Get -Url $Follow.Url
    $Item.attempts += $get.Attempts
    if ($get.TimedOut) { Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure $get.Error -Response $get.Response; return $null }
    if ($null -eq $get.Response) { Set-ItemFailure -Item $Item -Result 'Failed' -Failure $get.Error -Response $null; return $null }
    if ([int] $get.Response.StatusCode -ne 200) { Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $get.Response) -Response $get.Response; return $null }
    $mapping = ConvertFrom-ArmBody -Content $get.Response.Content
    if ($null -ne $mapping -and (Test-MappingMatches -Mapping $mapping -Item $Item -Ctx $Ctx)) {
        if ($Item.operationStatus -eq 'Accepted') { $Item.operationStatus = 'Succeeded' }
        $Item.result = 'Succeeded'
        return $null
    }
    if ($Follow.VerifyCount -lt $Follow.VerifyTries) {
        # $Follow.WaitMs is the 202's Retry-After (else the default poll interval).
        return Wait-MappingStep -Item $Item -Ctx $Ctx -Stage 'Verify' -WaitMs $Follow.WaitMs -Message 'The deadline passed before the change could be verified; a rerun is safe.'
    }
    Set-ItemFailure -Item $Item -Result 'Failed' -Failure @{ Outcome = 'Failed'; Code = 'VerificationMismatch'; Message = 'The mapping read back after the change does not carry the desired setting.' } -Response $null
    return $null
}

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

# --- Estate rows for Log Analytics (Logs Ingestion API) --------------------------------------------
# One row per machine judged (AsrMobilityAgent_CL) and one per vault (AsrMobilityRun_CL), sent after the
# reconciliation through Invoke-ArmRequest (same retries, Retry-After and deadline) with a token of its own
# for Azure Monitor. Sending never changes what was reconciled; what could not be sent is reported.

$IngestionApiVersion = '2023-01-01'
$AgentStream = 'Custom-AsrMobilityAgent_CL'
$RunStream = 'Custom-AsrMobilityRun_CL'
# The API refuses a call over 1 MB; batches stay under 1,000,000 bytes of JSON (ASCII: one byte a character).
$IngestionMaxBatchBytes = 1000000
$MonitorAudiences = @{ AzureCloud = 'https://monitor.azure.com'; AzureUSGovernment = 'https://monitor.azure.us'; AzureChinaCloud = 'https://monitor.azure.cn' }
# Outcomes an ingestion failure replaces with IngestionFailed; a worse one (Failed, PartiallyFailed, TimedOut,
# ReportFailed) stands, and its message says what was not sent.
$IngestionReplaceableOutcomes = @('Succeeded', 'NoChange', 'DryRun', 'AgentsNeedAttention')

function Get-IngestionSettings {
    <# Validates IngestionEndpoint and IngestionRuleId (both or neither); adds to $Problems; $null when not configured. #>
    param([string] $Endpoint, [string] $RuleId, [string] $Cloud, $Problems)
    $Endpoint = $Endpoint.Trim()
    $RuleId = $RuleId.Trim()
    if (-not $Endpoint -and -not $RuleId) { return $null }
    $count = $Problems.Count
    if (-not $Endpoint) { $Problems.Add("IngestionRuleId '$RuleId' is given without IngestionEndpoint: give both to send rows to Log Analytics, or neither.") }
    if (-not $RuleId) { $Problems.Add("IngestionEndpoint '$Endpoint' is given without IngestionRuleId: give both to send rows to Log Analytics, or neither.") }
    $origin = $null
    $base = $Endpoint.TrimEnd('/')
    if ($Endpoint) {
        if (-not [Uri]::TryCreate($base, [UriKind]::Absolute, [ref] $origin) -or $origin.AbsolutePath -ne '/' -or $origin.Query -or $origin.Fragment -or $origin.UserInfo) {
            $Problems.Add("IngestionEndpoint '$Endpoint' must be an absolute URL with no path, query or user, e.g. https://{dce}.{region}-1.ingest.monitor.azure.com.")
        } elseif (-not ($origin.Scheme -eq 'https' -or ($origin.Scheme -eq 'http' -and (Test-LoopbackHost -HostName $origin.Host)))) {
            $Problems.Add("IngestionEndpoint '$Endpoint' must use https:// (http:// is allowed only for loopback hosts).")
        }
    }
    if ($RuleId -and $RuleId -notmatch '\Adcr-[0-9a-fA-F]{32}\z') { $Problems.Add("IngestionRuleId '$RuleId' must be a data collection rule's immutable id: dcr- followed by 32 hex digits.") }
    if ($Problems.Count -gt $count -or -not $Cloud) { return $null }
    return @{ Base = $base; Origin = $origin; RuleId = $RuleId; Audience = $MonitorAudiences[$Cloud] }
}

function ConvertTo-IngestionTime {
    param([DateTimeOffset] $At)
    return $At.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

function New-IngestionRows {
    <#
    The night's rows, in the columns of the two tables: every machine of every vault's agent report (the
    full list, not the one capped by MaxAgentsListed) and one row per vault with its counts and outcome.
    #>
    param($Sections, [string] $RunId, [string] $Time)
    $agentRows = [Collections.Generic.List[object]]::new()
    $runRows = [Collections.Generic.List[object]]::new()
    foreach ($section in $Sections) {
        $vaultId = ConvertTo-NormalizedId -Id ([string] $section.vault)
        $report = $section.agents
        $machines = @()
        if ($null -ne $report) { $machines = if ($report.Contains('allMachines')) { @($report.allMachines) } else { @($report.machines) } }
        foreach ($m in $machines) {
            $facts = $m.facts
            $expiry = if ($m.provider -ceq 'A2A') { $facts.agentExpiryDate } elseif ($null -ne $facts.mobilityAgentDetails) { $facts.mobilityAgentDetails.agentVersionExpiryDate } else { $null }
            $at = ConvertTo-UtcInstant $expiry
            $agentRows.Add([ordered]@{
                    TimeGenerated = $Time
                    RunId         = $RunId
                    VaultId       = $vaultId
                    Machine       = [string] $m.name
                    Provider      = [string] $m.provider
                    AgentVersion  = [string] $m.agentVersion
                    ExpiryDate    = $(if ($null -ne $at) { ConvertTo-IngestionTime $at } else { $null })
                    Status        = [string] $m.status
                    Reasons       = (@($m.reasons) -join ',')
                })
        }
        $c = $section.counts
        $runRows.Add([ordered]@{
                TimeGenerated   = $Time
                RunId           = $RunId
                VaultId         = $vaultId
                MappingsListed  = [int] $c.listed
                MappingsChanged = [int] $c.succeeded
                MappingsFailed  = [int] $c.failed
                Outcome         = [string] $section.outcome
                DurationSeconds = [double] $section.durationSeconds
            })
    }
    return @{ $RunStream = $runRows; $AgentStream = $agentRows }
}

function Split-IngestionBatches {
    <#
    JSON arrays of at most $MaxBytes bytes each, rows in order. Non-ASCII characters are escaped, so the
    body is ASCII and its UTF-8 size is its length whatever encoding the runtime sends it in. A row that
    alone is over the limit is returned in Oversize, not sent.
    #>
    param($Rows, [int] $MaxBytes)
    $batches = [Collections.Generic.List[object]]::new()
    $oversize = 0
    $parts = [Collections.Generic.List[string]]::new()
    $size = 2
    foreach ($row in $Rows) {
        $json = ConvertTo-Json -InputObject $row -Compress -Depth 4 -EscapeHandling EscapeNonAscii
        $bytes = [Text.Encoding]::UTF8.GetByteCount($json)
        if ($bytes + 2 -gt $MaxBytes) { $oversize++; continue }
        if ($parts.Count -gt 0 -and $size + 1 + $bytes -gt $MaxBytes) {
            $batches.Add(@{ Body = '[' + ($parts -join ',') + ']'; Rows = $parts.Count })
            $parts.Clear()
            $size = 2
        }
        if ($parts.Count -gt 0) { $size++ }
        $parts.Add($json)
        $size += $bytes
    }
    if ($parts.Count -gt 0) { $batches.Add(@{ Body = '[' + ($parts -join ',') + ']'; Rows = $parts.Count }) }
    return @{ Batches = $batches; Oversize = $oversize }
}

function Send-IngestionRows {
    <#
    Sends the night's rows when ingestion is configured and records what happened in the summary's
    ingestion section; returns the job's outcome and message (IngestionFailed when rows were not all sent
    and nothing worse happened). Never throws: a failure to send is reported, not raised.
    #>
    param($Ctx, $Summary, $Sections, [string] $Outcome, [string] $Message)
    $section = [ordered]@{
        state = 'NotConfigured'; endpoint = $null; ruleId = $null; runId = $null; timeGenerated = $null
        streams = [ordered]@{}; rowsSent = 0; rowsNotSent = 0; failures = @(); outcomeBeforeIngestion = $Outcome; message = 'IngestionEndpoint and IngestionRuleId are not set: nothing was sent to Log Analytics.'
    }
    $Summary.ingestion = $section
    $settings = $Ctx.Ingestion
    try {
        if ($null -eq $settings) { return @{ Outcome = $Outcome; Message = $Message } }
        # One id per job: the Automation job's id when the runtime exposes it, else a new one.
        $runId = [guid]::Empty
        $jobId = $null
        try { $jobId = [string] $PSPrivateMetadata.JobId } catch { $jobId = $null }
        if (-not ($jobId -and [guid]::TryParse($jobId, [ref] $runId))) { $runId = [guid]::NewGuid() }
        $section.endpoint = $settings.Base
        $section.ruleId = $settings.RuleId
        $section.runId = $runId.ToString()
        $section.timeGenerated = ConvertTo-IngestionTime $Ctx.ReportTime
        $rows = New-IngestionRows -Sections $Sections -RunId $section.runId -Time $section.timeGenerated
        # The same retry policy and deadline as the ARM calls, with the token for Azure Monitor (cached for
        # every batch) sent only to the ingestion endpoint.
        $monitor = $Ctx.Clone()
        $monitor.ArmOrigin = $settings.Origin
        $monitor.Audience = $settings.Audience
        $monitor.TokenState = [hashtable]::Synchronized(@{ Token = $null; ExpiresOn = 0 })
        $monitor.WebSessions = [Collections.Concurrent.ConcurrentDictionary[int, Microsoft.PowerShell.Commands.WebRequestSession]]::new()
        $failures = [Collections.Generic.List[object]]::new()
        # The vault rows first: they are few, and say how each vault's night went.
        foreach ($stream in @($RunStream, $AgentStream)) {
            $split = Split-IngestionBatches -Rows $rows[$stream] -MaxBytes $IngestionMaxBatchBytes
            $tally = [ordered]@{ rows = $rows[$stream].Count; rowsSent = 0; rowsNotSent = 0; batches = $split.Batches.Count; batchesFailed = 0 }
            $section.streams[$stream] = $tally
            if ($split.Oversize -gt 0) {
                $tally.rowsNotSent += $split.Oversize
                $failures.Add([ordered]@{ stream = $stream; batch = $null; rows = $split.Oversize; status = $null; errorCode = 'RowTooLarge'; errorMessage = "$($split.Oversize) row(s) are each over $IngestionMaxBatchBytes bytes of JSON."; requestId = $null; attempts = 0 })
            }
            $url = '{0}/dataCollectionRules/{1}/streams/{2}?api-version={3}' -f $settings.Base, $settings.RuleId, $stream, $IngestionApiVersion
            $n = 0
            foreach ($batch in $split.Batches) {
                $n++
                $call = Invoke-ArmRequest -Ctx $monitor -Method Post -Url $url -Body $batch.Body
                $code = if ($null -ne $call.Response) { [int] $call.Response.StatusCode } else { $null }
                if (-not $call.TimedOut -and $null -ne $code -and $code -ge 200 -and $code -lt 300) {
                    $tally.rowsSent += $batch.Rows
                    continue
                }
                $err = if ($null -ne $call.Error) { $call.Error } else { Get-ArmError -Response $call.Response }
                $rid = if ($null -ne $call.Response) { Get-HeaderValue -Headers $call.Response.Headers -Name 'x-ms-request-id' } else { $null }
                $tally.rowsNotSent += $batch.Rows
                $tally.batchesFailed++
                $failures.Add([ordered]@{ stream = $stream; batch = $n; rows = $batch.Rows; status = $code; errorCode = $err.Code; errorMessage = $err.Message; requestId = $rid; attempts = $call.Attempts })
                Write-Warning "Log Analytics: batch $n of $($split.Batches.Count) ($($batch.Rows) row(s)) to $stream was not sent: $($err.Code): $($err.Message)"
            }
            Write-Verbose "Log Analytics: $($tally.rowsSent) of $($tally.rows) row(s) sent to $stream in $($split.Batches.Count) batch(es)."
            $section.rowsSent += $tally.rowsSent
            $section.rowsNotSent += $tally.rowsNotSent
        }
        $section.failures = @($failures)
        if ($section.rowsNotSent -eq 0) {
            $section.state = 'Sent'
            $section.message = "$($section.rowsSent) row(s) sent to Log Analytics (run $($section.runId))."
            return @{ Outcome = $Outcome; Message = $Message }
        }
        $section.state = 'Failed'
        $first = $failures[0]
        $section.message = "$($section.rowsNotSent) of $($section.rowsSent + $section.rowsNotSent) row(s) were not sent to Log Analytics (first: $($first.stream): $($first.errorCode): $($first.errorMessage)); the reconciliation stands."
    } catch {
        $section.state = 'Failed'
        $section.message = "The rows could not be sent to Log Analytics: $($_.Exception.Message); the reconciliation stands."
        Write-Warning $section.message
    } finally {
        foreach ($s in $Sections) { if ($null -ne $s.agents -and $s.agents.Contains('allMachines')) { $s.agents.Remove('allMachines') } }
    }
    if ($IngestionReplaceableOutcomes -contains $Outcome) {
        return @{ Outcome = 'IngestionFailed'; Message = "$($section.message) Before sending, the outcome was ${Outcome}: $Message" }
    }
    return @{ Outcome = $Outcome; Message = "$Message $($section.message)" }
}

# --- Discovery: the vaults in scope, through Resource Graph -----------------------------------------

function Get-CanonicalVaultId {
    <# A vault id as Resource Graph returns it, with ARM's casing of the fixed segments. #>
    param([string] $Id)
    if ($Id -match '\A/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\.recoveryservices/vaults/([^/]+)/?\z') {
        return "/subscriptions/$($Matches[1])/resourceGroups/$($Matches[2])/providers/Microsoft.RecoveryServices/vaults/$($Matches[3])"
    }
    return $Id
}

function New-VaultQuery {
    <# The Resource Graph query for the Recovery Services vaults, optionally carrying a tag (name compared case-insensitively). #>
    param([string] $TagName, $TagValue)
    $query = "resources | where type =~ 'microsoft.recoveryservices/vaults'"
    if ($TagName) {
        $query += " | mv-expand bagexpansion=array tags | where tostring(tags[0]) =~ '$TagName'"
        if ($null -ne $TagValue) { $query += " and tostring(tags[1]) == '$TagValue'" }
    }
    return "$query | project id | order by id asc"
}

function Find-Vaults {
    <#
    The vaults in one scope (subscriptions or a management group) through Azure Resource Graph, every
    page ($skipToken), with the retry policy and the deadline of the run. Returns @{ Ids; Pages; Failure }.
    #>
    param($Ctx, [string] $ScopeName, $ScopeValue, [string] $Query)
    $url = '{0}/providers/Microsoft.ResourceGraph/resources?api-version={1}' -f $Ctx.ArmBase, $Ctx.ResourceGraphApiVersion
    $ids = [Collections.Generic.List[string]]::new()
    $pages = 0
    $skipToken = $null
    while ($true) {
        $pages++
        if ($pages -gt 1000) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = 'TooManyPages'; Message = 'Resource Graph returned more than 1000 pages: stopping.' } } }
        $options = [ordered]@{ '$top' = 1000 }
        if ($skipToken) { $options['$skipToken'] = $skipToken }
        $body = [ordered]@{}
        $body[$ScopeName] = @($ScopeValue)
        $body.query = $Query
        $body.options = $options
        $call = Invoke-ArmRequest -Ctx $Ctx -Method Post -Url $url -Body ($body | ConvertTo-Json -Depth 6 -Compress)
        if ($call.TimedOut) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'TimedOut'; Code = 'DeadlineExceeded'; Message = "Resource Graph did not answer before the deadline: $($call.Error.Message)" } } }
        if ($null -eq $call.Response) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = $call.Error.Code; Message = "Resource Graph failed: $($call.Error.Code): $($call.Error.Message)" } } }
        $code = [int] $call.Response.StatusCode
        if ($code -ne 200) {
            $err = Get-ArmError -Response $call.Response
            return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = $err.Code; Message = "Resource Graph answered HTTP ${code}: $($err.Code): $($err.Message)" } }
        }
        $page = ConvertFrom-ArmBody -Content $call.Response.Content
        if ($null -eq $page -or $null -eq $page.PSObject.Properties['data']) { return @{ Ids = $ids; Pages = $pages; Failure = @{ Outcome = 'Failed'; Code = 'NoData'; Message = 'Resource Graph returned a body without data.' } } }
        foreach ($row in @($page.data)) { if ($null -ne $row -and $row.id) { $ids.Add([string] $row.id) } }
        $skipToken = if ($null -ne $page.PSObject.Properties['$skipToken']) { [string] $page.'$skipToken' } else { $null }
        if (-not $skipToken) { return @{ Ids = $ids; Pages = $pages; Failure = $null } }
    }
}

function Resolve-FleetScope {
    <#
    The fleet's vaults for tonight: the listed ones, with those Resource Graph finds in the discovery scope
    (each night), exclusions removed. Records discovery in the summary. Returns @{ VaultList; DiscoveryFailed }.
    #>
    param($Ctx, [hashtable] $Run, $Summary)
    $vaultList = @($Run.VaultList)
    $discoveryFailed = $false
    if ($Run.Discover) {
        $d = $Summary.discovery
        $query = New-VaultQuery -TagName $Run.DiscoveryTagName -TagValue $Run.DiscoveryTagValue
        $scopes = @()
        if ($Run.DiscoverySubscriptions.Count -gt 0) { $scopes += , @('subscriptions', $Run.DiscoverySubscriptions) }
        if ($d.managementGroup) { $scopes += , @('managementGroups', @($d.managementGroup)) }
        $found = [Collections.Generic.List[string]]::new()
        $d.state = 'Complete'
        foreach ($scope in $scopes) {
            $r = Find-Vaults -Ctx $Ctx -ScopeName $scope[0] -ScopeValue $scope[1] -Query $query
            $d.pages += $r.Pages
            foreach ($id in $r.Ids) { $found.Add((Get-CanonicalVaultId -Id $id)) }
            if ($null -ne $r.Failure) { $d.state = $r.Failure.Outcome; $d.message = $r.Failure.Message; $discoveryFailed = $true; Write-Warning "Discovery: $($r.Failure.Message)"; break }
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
    if ($Run.Excluded.Count -gt 0) {
        $kept = @($vaultList | Where-Object { -not $Run.Excluded.ContainsKey((ConvertTo-NormalizedId -Id $_)) })
        if ($null -ne $Summary.discovery) { $Summary.discovery.excluded = $vaultList.Count - $kept.Count }
        $vaultList = $kept
    }
    return @{ VaultList = @($vaultList); DiscoveryFailed = $discoveryFailed }
}

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

# --- Input: the parameters, validated and resolved before any network call ---------------------------
# Resolve-RunInput takes the parameters as given (a hashtable by name) and returns what the job runs on
# with Problems, the list of what is wrong (empty when the input is valid): each problem names the
# parameter, its value and the rule.

function Resolve-FleetInput {
    <# The fleet's list, discovery scope, tag and exclusions; adds to $Problems. #>
    param([hashtable] $Given, $Problems, [bool] $Discover)
    $r = @{ VaultList = @(); Excluded = @{}; DiscoverySubscriptions = @(); DiscoveryTagName = $null; DiscoveryTagValue = $null }
    if ($Given.VaultResourceId) { $Problems.Add('VaultResourceId cannot be combined with VaultResourceIds or discovery: give one vault, or a list and/or a discovery scope.') }
    if (-not $Given.VaultResourceIds -and -not $Discover) { $Problems.Add('A fleet needs VaultResourceIds or a discovery scope (DiscoverySubscriptionIds or DiscoveryManagementGroupId); DiscoveryTag and ExcludeVaultResourceIds only narrow one.') }
    $seen = @{}
    if ($Given.VaultResourceIds) {
        $entries = @($Given.VaultResourceIds -split ',')
        $list = [Collections.Generic.List[string]]::new()
        foreach ($entry in $entries) {
            $id = $entry.Trim()
            if ($id -notmatch $VaultIdPattern) { $Problems.Add("VaultResourceIds entry '$id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}."); continue }
            $key = ConvertTo-NormalizedId -Id $id
            if ($seen.ContainsKey($key)) { $Problems.Add("VaultResourceIds names '$id' twice (ids compare case-insensitively)."); continue }
            $seen[$key] = $true
            $list.Add($id)
        }
        $r.VaultList = @($list)
        if ($entries.Count -gt $MaxFleetVaults) { $Problems.Add("VaultResourceIds names $($entries.Count) vaults; one job reconciles at most $MaxFleetVaults.") }
    }
    if ($Given.DiscoverySubscriptionIds) {
        foreach ($entry in ($Given.DiscoverySubscriptionIds -split ',')) {
            $sub = $entry.Trim()
            if ($sub -notmatch "\A$GuidPattern\z") { $Problems.Add("DiscoverySubscriptionIds entry '$sub' must be a subscription id (a GUID)."); continue }
            if ($r.DiscoverySubscriptions -contains $sub.ToLowerInvariant()) { $Problems.Add("DiscoverySubscriptionIds names '$sub' twice."); continue }
            $r.DiscoverySubscriptions += $sub.ToLowerInvariant()
        }
        if ($r.DiscoverySubscriptions.Count -gt $SubscriptionListMax) { $Problems.Add("DiscoverySubscriptionIds names $($r.DiscoverySubscriptions.Count) subscriptions; at most $SubscriptionListMax.") }
    }
    $group = $Given.DiscoveryManagementGroupId
    if ($group -and $group -notmatch $ManagementGroupPattern) {
        $Problems.Add("DiscoveryManagementGroupId '$group' must be a management group id: 1 to 90 letters, digits, '-', '_', '(', ')' or '.', not ending with '.'.")
    }
    if ($Given.DiscoveryTag) { Resolve-DiscoveryTag -Tag $Given.DiscoveryTag -Into $r -Problems $Problems -Discover $Discover }
    if ($Given.ExcludeVaultResourceIds) {
        foreach ($entry in ($Given.ExcludeVaultResourceIds -split ',')) {
            $id = $entry.Trim()
            if ($id -notmatch $VaultIdPattern) { $Problems.Add("ExcludeVaultResourceIds entry '$id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}."); continue }
            $r.Excluded[(ConvertTo-NormalizedId -Id $id)] = $true
        }
    }
    return $r
}

function Resolve-DiscoveryTag {
    <# DiscoveryTag as name=value or name, into $Into.DiscoveryTagName and DiscoveryTagValue; adds to $Problems. #>
    param([string] $Tag, [hashtable] $Into, $Problems, [bool] $Discover)
    $parts = $Tag -split '=', 2
    $name = $parts[0]
    $value = if ($parts.Count -eq 2) { $parts[1] } else { $null }
    $Into.DiscoveryTagName = $name
    $Into.DiscoveryTagValue = $value
    # Tag names follow ARM's rules (at most 512 characters, none of < > % & \ ? /), values at most 256
    # characters; quotes, backslashes and control characters are refused so the Resource Graph query
    # carries them literally.
    $badName = (-not $name) -or $name.Length -gt 512 -or $name -match '[<>%&\\?/''"\p{Cc}]' -or $name -ne $name.Trim()
    $badValue = $null -ne $value -and ($value.Length -gt 256 -or $value -match '[\\''"\p{Cc}]')
    if ($badName) {
        $Problems.Add("DiscoveryTag '$Tag' must be name=value or name: a name of 1 to 512 characters without < > % & \ ? /, quotes, control characters or surrounding spaces.")
    } elseif ($badValue) {
        $Problems.Add("DiscoveryTag '$Tag' has a value that must be at most 256 characters without quotes, backslashes or control characters.")
    }
    if (-not $Discover) { $Problems.Add('DiscoveryTag needs a discovery scope: DiscoverySubscriptionIds or DiscoveryManagementGroupId.') }
}

function Resolve-ArmEndpoint {
    <# The ARM base URL and origin: ArmEndpoint when given (https, or http to a loopback host), else the cloud's. #>
    param([string] $ArmEndpoint, [string] $Cloud, $Problems)
    $base = if ($ArmEndpoint) { $ArmEndpoint.TrimEnd('/') } elseif ($Cloud) { $Clouds[$Cloud].Arm } else { '' }
    $origin = $null
    if ($ArmEndpoint) {
        if (-not [Uri]::TryCreate($base, [UriKind]::Absolute, [ref] $origin) -or ($origin.AbsolutePath -ne '/')) {
            $Problems.Add("ArmEndpoint '$ArmEndpoint' must be an absolute URL with no path.")
        } elseif (-not ($origin.Scheme -eq 'https' -or ($origin.Scheme -eq 'http' -and (Test-LoopbackHost -HostName $origin.Host)))) {
            $Problems.Add("ArmEndpoint '$ArmEndpoint' must use https:// (http:// is allowed only for loopback hosts).")
        }
    } elseif ($base) {
        $origin = [Uri] $base
    }
    return @{ Base = $base; Origin = $origin }
}

function Resolve-NumberInput {
    <# The numeric parameters (given as text) within their ranges; adds to $Problems; returns them by name. #>
    param([hashtable] $Given, $Problems)
    $numbers = @{}
    $ranges = @(@('TimeoutSeconds', 5, 10200), @('MaxConcurrency', 1, 16), @('MaxRetries', 0, 10), @('AgentExpiringWithinDays', 0, 365), @('MaxAgentsListed', 0, 5000), @('MaxParallelVaults', 1, 32), @('MaxRequestsInFlight', 1, 64), @('RequestTimeoutSeconds', 5, 300))
    foreach ($spec in $ranges) {
        $value = $Given[$spec[0]]
        $parsed = 0
        if ([int]::TryParse([string] $value, [ref] $parsed) -and $parsed -ge $spec[1] -and $parsed -le $spec[2]) { $numbers[$spec[0]] = $parsed }
        else { $Problems.Add("$($spec[0]) '$value' must be an integer from $($spec[1]) to $($spec[2]).") }
    }
    return $numbers
}

function Resolve-ReportTime {
    <# ReportTimeUtc (tests only): an ISO 8601 instant with a zone, or a DateTime a job's JSON made of it; default now. #>
    param($Value, $Problems)
    if (($Value -is [DateTime] -and $Value.Kind -ne [DateTimeKind]::Unspecified) -or $Value -is [DateTimeOffset]) { return ConvertTo-UtcInstant $Value }
    if (-not $Value) { return [DateTimeOffset]::UtcNow }
    $text = [string] $Value
    $parsed = [DateTimeOffset]::MinValue
    if ($text -match '\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?(Z|[+-]\d{2}:\d{2})\z' -and [DateTimeOffset]::TryParse($text, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::None, [ref] $parsed)) {
        return $parsed.ToUniversalTime()
    }
    $Problems.Add("ReportTimeUtc '$text' must be an ISO 8601 date and time with a zone, e.g. 2026-11-30T00:00:00Z.")
    return [DateTimeOffset]::UtcNow
}

function Resolve-RunInput {
    <#
    Every parameter, validated before any network call. $Given holds the parameters by name as the job
    received them. Returns @{ Problems (empty when valid); Fleet; Discover; VaultList; Excluded;
    DiscoverySubscriptions; DiscoveryTagName; DiscoveryTagValue; Action; Providers; Cloud; ArmBase;
    ArmOrigin; Ingestion; Numbers; ReportTime }.
    #>
    param([hashtable] $Given)
    $problems = [Collections.Generic.List[string]]::new()
    $discover = [bool] ($Given.DiscoverySubscriptionIds -or $Given.DiscoveryManagementGroupId)
    $fleet = [bool] ($Given.VaultResourceIds -or $discover -or $Given.DiscoveryTag -or $Given.ExcludeVaultResourceIds)
    $run = @{ Fleet = $fleet; Discover = $discover; VaultList = @(); Excluded = @{}; DiscoverySubscriptions = @(); DiscoveryTagName = $null; DiscoveryTagValue = $null }
    if ($fleet) {
        $f = Resolve-FleetInput -Given $Given -Problems $problems -Discover $discover
        foreach ($k in $f.Keys) { $run[$k] = $f[$k] }
    } elseif ($Given.VaultResourceId -notmatch $VaultIdPattern) { $problems.Add("VaultResourceId '$($Given.VaultResourceId)' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}.") }
    $action = @('Enabled', 'Disabled') | Where-Object { $_ -ieq ([string] $Given.AutoUpdateAction).Trim() } | Select-Object -First 1
    if (-not $action) { $problems.Add("AutoUpdateAction '$($Given.AutoUpdateAction)' must be Enabled or Disabled.") }
    $providerList = @()
    foreach ($p in ([string] $Given.Providers -split ',')) {
        $name = $p.Trim()
        if (-not $name) { continue }
        $known = $KnownProviders | Where-Object { $_ -ieq $name } | Select-Object -First 1
        if ($known) { if ($providerList -notcontains $known) { $providerList += $known } } else { $problems.Add("Providers entry '$name' must be one of A2A, InMageRcm.") }
    }
    if ($providerList.Count -eq 0 -and $problems.Count -eq 0) { $problems.Add("Providers '$($Given.Providers)' must name at least one of A2A, InMageRcm.") }
    $account = [string] $Given.AutomationAccountArmId
    if ($account -and $account -notmatch $AccountIdPattern) { $problems.Add("AutomationAccountArmId '$account' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.Automation/automationAccounts/{name}.") }
    if ($action -eq 'Enabled' -and $providerList -contains 'A2A' -and -not $account) { $problems.Add('AutomationAccountArmId is required when AutoUpdateAction is Enabled and Providers includes A2A.') }
    $cloud = $Clouds.Keys | Where-Object { $_ -ieq $Given.AzureEnvironment } | Select-Object -First 1
    if (-not $cloud) { $problems.Add("AzureEnvironment '$($Given.AzureEnvironment)' must be AzureCloud, AzureUSGovernment or AzureChinaCloud.") }
    $arm = Resolve-ArmEndpoint -ArmEndpoint $Given.ArmEndpoint -Cloud $cloud -Problems $problems
    $run.Ingestion = Get-IngestionSettings -Endpoint $Given.IngestionEndpoint -RuleId $Given.IngestionRuleId -Cloud $cloud -Problems $problems
    if ($Given.ApiVersion -notmatch '\A\d{4}-\d{2}-\d{2}(-preview)?\z') { $problems.Add("ApiVersion '$($Given.ApiVersion)' must be yyyy-mm-dd with an optional -preview.") }
    $run.Numbers = Resolve-NumberInput -Given $Given -Problems $problems
    $run.ReportTime = Resolve-ReportTime -Value $Given.ReportTimeUtc -Problems $problems
    $run.Action = $action
    $run.Providers = $providerList
    $run.Cloud = $cloud
    $run.ArmBase = $arm.Base
    $run.ArmOrigin = $arm.Origin
    $run.Problems = @($problems)
    return $run
}

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

# --- Main: validate, then one vault or a fleet; one JSON document on Output -----------------------------

$given = @{}
foreach ($name in $RunParameterNames) { $given[$name] = Get-Variable -Name $name -ValueOnly }
$run = Resolve-RunInput -Given $given
$Summary = New-RunSummary -Given $given -Run $run
if ($run.Problems.Count -gt 0) {
    foreach ($problem in $run.Problems) { Write-Warning $problem }
    Complete-Run -Summary $Summary -Outcome 'InvalidInput' -Message ($run.Problems -join ' ')
    return
}
if ([string]::IsNullOrEmpty($env:IDENTITY_ENDPOINT) -or [string]::IsNullOrEmpty($env:IDENTITY_HEADER)) {
    Complete-Run -Summary $Summary -Outcome 'InvalidEnvironment' -Message 'IDENTITY_ENDPOINT and IDENTITY_HEADER must be set: run this in an Automation account with a system-assigned managed identity.'
    return
}
$Ctx = New-RunContext -Given $given -Run $run -IdentityEndpoint $env:IDENTITY_ENDPOINT -IdentityHeader $env:IDENTITY_HEADER
if ($run.Fleet) { Invoke-FleetJob -Ctx $Ctx -Run $run -Summary $Summary }
else { Invoke-SingleVaultJob -Ctx $Ctx -Run $run -Summary $Summary -VaultId $given.VaultResourceId }
