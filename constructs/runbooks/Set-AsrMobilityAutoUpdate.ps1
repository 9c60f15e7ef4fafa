#Requires -Version 7.2
<#
.SYNOPSIS
    Makes every replication protection container mapping of one Recovery Services vault carry the
    desired Mobility-service auto-update setting, and reports exactly what it did.

.DESCRIPTION
    Runs in Azure Automation under the automation account's system-assigned managed identity,
    deployed by default on a PowerShell 7.4 runtime environment (runbook type PowerShell), or on
    the classic PowerShell72 type when automation.runtime.version is 7.2. The language stays within
    PowerShell 7.2 (#Requires -Version 7.2), so the same script runs on both. It is a reconciler: a second run changes nothing.
    It needs no module: the token comes from the managed identity endpoint and every call is
    a plain HTTPS request to Azure Resource Manager.

    After the reconciliation it reads the vault's replication protected items (read-only) and reports
    on every A2A and InMageRcm machine's Mobility agent, by the rules of classifyAgent in the domain.

    Exactly one JSON document (summary schema 2) is written to the Output stream, last, on success and
    on failure. Outcomes other than Succeeded, NoChange and DryRun throw after the summary, so the
    Automation job is marked Failed and `pwsh -File` exits non-zero: among them AgentsNeedAttention
    (agents out of support or blocked) and ReportFailed (the protected items could not be read).

.PARAMETER VaultResourceId
    /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}

.PARAMETER VaultResourceIds
    A fleet: comma-separated vault ids (at most 50, no duplicates), instead of VaultResourceId. Each vault
    is reconciled and reported on in turn under the one deadline; the summary has a section per vault
    and an overall outcome.

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
    0 to 5000 machines listed per vault, most severe first; the counts always cover every machine. Default 1000.

.PARAMETER ReportTimeUtc
    Tests only: the time the report judges expiry dates against, ISO 8601 with a zone. Default: now.

.EXAMPLE
    pwsh -File Set-AsrMobilityAutoUpdate.ps1 -VaultResourceId /subscriptions/.../vaults/v1 -AutoUpdateAction Enabled -AutomationAccountArmId /subscriptions/.../automationAccounts/a1 -DryRun
#>
[CmdletBinding()]
param(
    [string] $VaultResourceId = '',
    [string] $VaultResourceIds = '',
    [string] $AutoUpdateAction = '',
    [string] $AutomationAccountArmId = '',
    [string] $Providers = 'A2A',
    [string] $AzureEnvironment = 'AzureCloud',
    [string] $ArmEndpoint = '',
    [string] $ApiVersion = '2024-04-01',
    [string] $TimeoutSeconds = '3600',
    [string] $MaxConcurrency = '4',
    [string] $MaxRetries = '5',
    [switch] $DryRun,
    [switch] $SkipAgentReport,
    [string] $AgentExpiringWithinDays = '30',
    [string] $MaxAgentsListed = '1000',
    # Tests only: the time the agent report judges expiry dates against (ISO 8601 with a zone). Default: now.
    # Untyped: a job's JSON parameters may arrive already turned into a DateTime, which a [string] would
    # reformat in the runtime's culture.
    $ReportTimeUtc = ''
)

$ErrorActionPreference = 'Stop'
# Automation records the Verbose stream only when the runbook writes to it; a job schedule passes no
# -Verbose, so progress is on unless the caller says -Verbose:$false.
if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = 'Continue' }
$RunbookVersion = '1.1.0'
$SummarySchemaVersion = 2

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
# A fleet job reconciles at most this many vaults: all of them share one deadline (TimeoutSeconds, at most
# 10200 s, under Automation's 3-hour fair-share limit), which leaves each vault over three minutes at the
# longest deadline, and keeps the job parameter (about 150 characters an id) and the summary small.
$MaxFleetVaults = 50
$FleetOutcomePrecedence = @('Failed', 'PartiallyFailed', 'TimedOut', 'ReportFailed', 'AgentsNeedAttention', 'Succeeded', 'DryRun', 'NoChange')
$RetryableStatus = @(408, 429, 500, 502, 503, 504)

# --- Helpers (pure, or working only on what they are given) -------------------------------------

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
        return @{ Code = [string] $body.error.code; Message = [string] $body.error.message }
    }
    $type = Get-HeaderValue -Headers $Response.Headers -Name 'Content-Type'
    return @{ Code = "Http$($Response.StatusCode)"; Message = "HTTP $($Response.StatusCode) with a body that is not an ARM error (content type '$type')" }
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

function Invoke-ArmRequest {
    <#
    One ARM request with the retry policy: transport errors, 408, 429, 500, 502, 503 and 504 are
    retried up to MaxRetries times, waiting as the server asks or with backoff, never past the
    deadline; a 401 refreshes the token once. Returns @{ Response; Attempts; TimedOut; Error }.
    The bearer token is only ever sent to the configured ARM origin.
    #>
    param($Ctx, [string] $Method, [string] $Url, [string] $Body)
    if (-not (Test-SameOrigin -Url $Url -Origin $Ctx.ArmOrigin)) {
        return @{ Response = $null; Attempts = 0; TimedOut = $false; Error = @{ Code = 'ForeignHost'; Message = "Refused to send the token to '$(([Uri] $Url).Authority)', which is not the configured ARM host '$($Ctx.ArmOrigin.Authority)'." } }
    }
    $attempts = 0
    $refreshed = $false
    while ($true) {
        if ((Get-RemainingMilliseconds -Ctx $Ctx) -le 0) { return @{ Response = $null; Attempts = $attempts; TimedOut = $true; Error = @{ Code = 'DeadlineExceeded'; Message = 'The deadline passed before the request could be sent.' } } }
        $attempts++
        $response = $null
        $transportError = $null
        try {
            $token = Get-ArmToken -Ctx $Ctx
            $headers = @{ Authorization = "Bearer $token"; 'x-ms-client-request-id' = [guid]::NewGuid().ToString() }
            # A request never outlives the deadline: its timeout is what is left of the run (100 s at most).
            $timeoutSec = [int] [Math]::Max(1, [Math]::Min(100, [Math]::Ceiling((Get-RemainingMilliseconds -Ctx $Ctx) / 1000.0)))
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
            return @{ Response = $null; Attempts = $attempts; TimedOut = $true; Error = @{ Code = 'DeadlineExceeded'; Message = $_.Exception.Message } }
        } catch {
            $transportError = $_.Exception.Message
        }
        if ($null -ne $response) {
            $code = [int] $response.StatusCode
            if ($code -eq 401 -and -not $refreshed) {
                $refreshed = $true
                Write-Verbose "HTTP 401 from $Method $($Ctx.ArmOrigin.Authority): refreshing the token once."
                try { $null = Get-ArmToken -Ctx $Ctx -Force } catch { return @{ Response = $response; Attempts = $attempts; TimedOut = $false; Error = @{ Code = 'TokenRefreshFailed'; Message = $_.Exception.Message } } }
                continue
            }
            if ($Ctx.RetryableStatus -notcontains $code) { return @{ Response = $response; Attempts = $attempts; TimedOut = $false; Error = $null } }
        }
        if ($attempts -gt $Ctx.MaxRetries) {
            if ($null -ne $response) { return @{ Response = $response; Attempts = $attempts; TimedOut = $false; Error = $null } }
            return @{ Response = $null; Attempts = $attempts; TimedOut = $false; Error = @{ Code = 'TransportError'; Message = $transportError } }
        }
        $wait = if ($null -ne $response) { Get-RetryDelayMilliseconds -Headers $response.Headers } else { $null }
        if ($null -eq $wait) { $wait = Get-BackoffMilliseconds -Attempt $attempts }
        $what = if ($null -ne $response) { "HTTP $([int] $response.StatusCode)" } else { "transport error ($transportError)" }
        if ($wait -ge (Get-RemainingMilliseconds -Ctx $Ctx)) {
            return @{ Response = $response; Attempts = $attempts; TimedOut = $true; Error = @{ Code = 'DeadlineExceeded'; Message = "$what; the server asked to wait $wait ms, past the deadline." } }
        }
        Write-Verbose "$what from $Method; attempt $attempts of $($Ctx.MaxRetries + 1); waiting $wait ms."
        Start-Sleep -Milliseconds $wait
    }
}

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
    param($Item, [string] $Result, $Failure, $Response)
    $Item.result = $Result
    if ($null -ne $Failure) { $Item.errorCode = $Failure.Code; $Item.errorMessage = $Failure.Message }
    if ($null -ne $Response) {
        $rid = Get-HeaderValue -Headers $Response.Headers -Name 'x-ms-request-id'
        if ($rid) { $Item.requestId = $rid }
    }
    return $Item
}

function Invoke-MappingUpdate {
    <# PATCH one mapping, follow the operation to its end, then verify with a GET. #>
    param($Item, $Ctx)
    if ((Get-RemainingMilliseconds -Ctx $Ctx) -le 0) {
        $Item.result = 'TimedOut'; $Item.reason = 'The deadline passed before this mapping was submitted; a rerun is safe.'; return $Item
    }
    $url = '{0}{1}?api-version={2}' -f $Ctx.ArmBase, $Item.id, $Ctx.ApiVersion
    $json = $Item.body | ConvertTo-Json -Depth 12 -Compress
    $call = Invoke-ArmRequest -Ctx $Ctx -Method Patch -Url $url -Body $json
    $Item.attempts += $call.Attempts
    if ($call.TimedOut) { return Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure $call.Error -Response $call.Response }
    if ($null -ne $call.Error -and $null -eq $call.Response) { return Set-ItemFailure -Item $Item -Result 'Failed' -Failure $call.Error -Response $null }
    $response = $call.Response
    $rid = Get-HeaderValue -Headers $response.Headers -Name 'x-ms-request-id'
    if ($rid) { $Item.requestId = $rid }
    $code = [int] $response.StatusCode
    if ($code -ne 200 -and $code -ne 201 -and $code -ne 202) {
        return Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $response) -Response $response
    }
    if ($code -eq 202) {
        $asyncUrl = Get-HeaderValue -Headers $response.Headers -Name 'Azure-AsyncOperation'
        $locationUrl = Get-HeaderValue -Headers $response.Headers -Name 'Location'
        $wait = Get-RetryDelayMilliseconds -Headers $response.Headers
        if ($null -eq $wait) { $wait = $Ctx.PollIntervalMs }
        $pollUrl = if ($asyncUrl) { $asyncUrl } elseif ($locationUrl) { $locationUrl } else { $null }
        if ($pollUrl) {
            if (-not (Test-SameOrigin -Url $pollUrl -Origin $Ctx.ArmOrigin)) {
                return Set-ItemFailure -Item $Item -Result 'Failed' -Failure @{ Code = 'ForeignHost'; Message = "The operation URL points at '$(([Uri] $pollUrl).Authority)', not the configured ARM host; the token was not sent." } -Response $response
            }
            $done = $false
            while (-not $done) {
                if ($wait -ge (Get-RemainingMilliseconds -Ctx $Ctx)) {
                    $Item.operationStatus = if ($Item.operationStatus) { $Item.operationStatus } else { 'InProgress' }
                    return Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure @{ Code = 'DeadlineExceeded'; Message = 'The operation was still running at the deadline; a rerun is safe.' } -Response $null
                }
                Start-Sleep -Milliseconds $wait
                $poll = Invoke-ArmRequest -Ctx $Ctx -Method Get -Url $pollUrl
                $Item.attempts += $poll.Attempts
                if ($poll.TimedOut) { return Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure $poll.Error -Response $poll.Response }
                if ($null -eq $poll.Response) { return Set-ItemFailure -Item $Item -Result 'Failed' -Failure $poll.Error -Response $null }
                $pollCode = [int] $poll.Response.StatusCode
                $next = Get-RetryDelayMilliseconds -Headers $poll.Response.Headers
                $wait = if ($null -ne $next) { $next } else { $Ctx.PollIntervalMs }
                if ($asyncUrl) {
                    if ($pollCode -ne 200) { return Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $poll.Response) -Response $poll.Response }
                    $status = [string] (ConvertFrom-ArmBody -Content $poll.Response.Content).status
                    $Item.operationStatus = $status
                    switch -Regex ($status) {
                        '^Succeeded$' { $done = $true }
                        '^(PartiallySucceeded|CompletedWithInformation)$' {
                            Write-Warning "Mapping $($Item.id): the operation ended '$status'."
                            $done = $true
                        }
                        '^(Failed|Canceled|Cancelled)$' {
                            $opBody = ConvertFrom-ArmBody -Content $poll.Response.Content
                            $err = if ($null -ne $opBody -and $null -ne $opBody.error) { @{ Code = [string] $opBody.error.code; Message = [string] $opBody.error.message } } else { @{ Code = "Operation$status"; Message = "The operation ended '$status'." } }
                            return Set-ItemFailure -Item $Item -Result 'Failed' -Failure $err -Response $poll.Response
                        }
                        default { Write-Verbose "Mapping $($Item.id): operation status '$status'; still running." }
                    }
                } else {
                    if ($pollCode -eq 202) { continue }
                    if ($pollCode -ge 200 -and $pollCode -lt 300) { $Item.operationStatus = 'Succeeded'; $done = $true; continue }
                    return Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $poll.Response) -Response $poll.Response
                }
            }
        } else {
            $Item.operationStatus = 'Accepted'
        }
    } else {
        $Item.operationStatus = 'Succeeded'
    }
    # Verify what the service now reports. A 202 without an operation URL is verified after the wait it asked for.
    $verifyTries = if ($Item.operationStatus -eq 'Accepted') { 5 } else { 1 }
    for ($i = 1; $i -le $verifyTries; $i++) {
        if ($Item.operationStatus -eq 'Accepted') {
            # $wait is the 202's Retry-After (else the default poll interval).
            if ($wait -ge (Get-RemainingMilliseconds -Ctx $Ctx)) { return Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure @{ Code = 'DeadlineExceeded'; Message = 'The deadline passed before the change could be verified; a rerun is safe.' } -Response $null }
            Start-Sleep -Milliseconds $wait
        }
        $get = Invoke-ArmRequest -Ctx $Ctx -Method Get -Url $url
        $Item.attempts += $get.Attempts
        if ($get.TimedOut) { return Set-ItemFailure -Item $Item -Result 'TimedOut' -Failure $get.Error -Response $get.Response }
        if ($null -eq $get.Response) { return Set-ItemFailure -Item $Item -Result 'Failed' -Failure $get.Error -Response $null }
        if ([int] $get.Response.StatusCode -ne 200) { return Set-ItemFailure -Item $Item -Result 'Failed' -Failure (Get-ArmError -Response $get.Response) -Response $get.Response }
        $mapping = ConvertFrom-ArmBody -Content $get.Response.Content
        if ($null -ne $mapping -and (Test-MappingMatches -Mapping $mapping -Item $Item -Ctx $Ctx)) {
            if ($Item.operationStatus -eq 'Accepted') { $Item.operationStatus = 'Succeeded' }
            $Item.result = 'Succeeded'
            return $Item
        }
    }
    return Set-ItemFailure -Item $Item -Result 'Failed' -Failure @{ Code = 'VerificationMismatch'; Message = 'The mapping read back after the change does not carry the desired setting.' } -Response $null
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
    } else {
        $d = $Details.mobilityAgentDetails
        $version = if ($null -ne $d) { $d.version } else { $null }
        $latest = if ($null -ne $d) { $d.latestVersion } else { $null }
        $withoutReboot = if ($null -ne $d) { $d.latestUpgradableVersionWithoutReboot } else { $null }
        $reasons = @(if ($null -ne $d -and $null -ne $d.reasonsBlockingUpgrade) { $d.reasonsBlockingUpgrade | ForEach-Object { [string] $_ } })
        if (Test-PresentText $version) { $known = $true }
        if ($reasons.Count -gt 0) { $known = $true }
        foreach ($reason in $reasons) { if ($NonBlockingUpgradeReasons -cnotcontains $reason) { $found.Blocked.Add("blocked:$reason") } }
        foreach ($e in @($Details.agentUpgradeBlockingErrorDetails | Where-Object { $null -ne $_ })) {
            $found.Blocked.Add("blocked:$(if (Test-PresentText $e.errorCode) { $e.errorCode } else { 'UpgradeError' })")
        }
        $behind = (Test-PresentText $version) -and (Test-PresentText $latest) -and ((Compare-AgentVersion $version $latest) -eq -1)
        $atRebootStep = $behind -and (Test-PresentText $withoutReboot) -and ((Compare-AgentVersion $version $withoutReboot) -eq 0)
        if ($reasons -ccontains 'RebootRequired' -or $atRebootStep) { $found.NeedsReboot.Add('rebootRequired') }
        elseif ($behind -and $found.Blocked.Count -eq 0) {
            # A blocked machine's pending update is already explained by what blocks it.
            if ($d.isUpgradeable -is [string] -and $d.isUpgradeable -ceq 'false') { $found.Blocked.Add('blocked:NotUpgradeable') }
            else { $found.UpdatePending.Add("latest:$latest") }
        }
        if ((Test-PresentText $Details.agentUpgradeState) -and $Details.agentUpgradeState -ceq 'Started') { $found.UpdatePending.Add('upgradeInProgress') }
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
        $report.state = $(if ($list.Failure[0] -eq 'TimedOut') { 'TimedOut' } else { 'Failed' })
        $report.message = $list.Failure[1]
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
    $report.machinesListed = $report.machines.Count
    $report.truncated = $sorted.Count -gt $report.machinesListed
    if ($report.state -eq 'Complete') {
        $report.message = 'Agents: ' + (@($AgentStatuses | ForEach-Object { "$($report.counts[$_]) $_" }) -join ', ') + '.'
    }
    return $report
}

function Get-ArmList {
    <# Every item of an ARM list, following nextLink to the end. Failure is @(outcome, message) or $null. #>
    param($Ctx, [string] $Url, [string] $What)
    $items = [Collections.Generic.List[object]]::new()
    $pages = 0
    $failure = $null
    try {
        while ($Url) {
            $pages++
            if ($pages -gt 10000) { throw "More than 10000 pages of ${What}: stopping." }
            $call = Invoke-ArmRequest -Ctx $Ctx -Method Get -Url $Url
            if ($call.TimedOut) { $failure = @('TimedOut', "Listing $What did not finish before the deadline: $($call.Error.Message)"); break }
            if ($null -eq $call.Response) { $failure = @('Failed', "Listing $What failed: $($call.Error.Code): $($call.Error.Message)"); break }
            if ([int] $call.Response.StatusCode -ne 200) {
                $err = Get-ArmError -Response $call.Response
                $failure = @('Failed', "Listing $What failed with HTTP $([int] $call.Response.StatusCode): $($err.Code): $($err.Message)")
                break
            }
            $page = ConvertFrom-ArmBody -Content $call.Response.Content
            if ($null -eq $page) { $failure = @('Failed', "Listing $What returned a body that is not JSON."); break }
            foreach ($m in @($page.value)) { if ($null -ne $m) { $items.Add($m) } }
            $Url = [string] $page.nextLink
            if ($Url -and -not (Test-SameOrigin -Url $Url -Origin $Ctx.ArmOrigin)) {
                $failure = @('Failed', "A nextLink points at '$(([Uri] $Url).Authority)', not the configured ARM host; the token was not sent there.")
                break
            }
        }
    } catch {
        $failure = @('Failed', "Listing $What failed: $($_.Exception.Message)")
    }
    return @{ Items = $items; Failure = $failure; Pages = $pages }
}

# --- Summary -------------------------------------------------------------------------------------

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

function Complete-Run {
    <# Writes the one JSON document and throws for every outcome that is not a success. #>
    param($Summary, [string] $Outcome, [string] $Message)
    $Summary.outcome = $Outcome
    $Summary.message = $Message
    $json = $Summary | ConvertTo-Json -Depth 12 -Compress
    Write-Output $json
    if (@('Succeeded', 'NoChange', 'DryRun') -notcontains $Outcome) {
        Write-Error -Message "Outcome ${Outcome}: $Message" -ErrorAction Continue
        throw "Set-AsrMobilityAutoUpdate ended with outcome ${Outcome}: $Message"
    }
}

# --- 1. Parameters, validated before any network call -----------------------------------------

$problems = [Collections.Generic.List[string]]::new()
$fleet = [bool] $VaultResourceIds
$vaultList = @()
if ($fleet) {
    if ($VaultResourceId) { $problems.Add('VaultResourceId and VaultResourceIds are mutually exclusive: give one vault or a list.') }
    $seen = @{}
    foreach ($entry in ($VaultResourceIds -split ',')) {
        $id = $entry.Trim()
        if ($id -notmatch $VaultIdPattern) { $problems.Add("VaultResourceIds entry '$id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}."); continue }
        $key = ConvertTo-NormalizedId -Id $id
        if ($seen.ContainsKey($key)) { $problems.Add("VaultResourceIds names '$id' twice (ids compare case-insensitively)."); continue }
        $seen[$key] = $true
        $vaultList += $id
    }
    if (@($VaultResourceIds -split ',').Count -gt $MaxFleetVaults) { $problems.Add("VaultResourceIds names $(@($VaultResourceIds -split ',').Count) vaults; one job reconciles at most $MaxFleetVaults.") }
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
if ($ApiVersion -notmatch '\A\d{4}-\d{2}-\d{2}(-preview)?\z') { $problems.Add("ApiVersion '$ApiVersion' must be yyyy-mm-dd with an optional -preview.") }
$numbers = @{}
foreach ($spec in @(@('TimeoutSeconds', $TimeoutSeconds, 5, 10200), @('MaxConcurrency', $MaxConcurrency, 1, 16), @('MaxRetries', $MaxRetries, 0, 10), @('AgentExpiringWithinDays', $AgentExpiringWithinDays, 0, 365), @('MaxAgentsListed', $MaxAgentsListed, 0, 5000))) {
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
        vaultOutcomes  = [ordered]@{}
        counts         = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
        agentCounts    = [ordered]@{}
        sections       = @()
    }
    if ($vaultList.Count -eq 0) { $Summary.vaults = @(($VaultResourceIds -split ',') | ForEach-Object { $_.Trim() }) }
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
}
# --- 2-7. One vault: list, classify, execute, verify; then the agent report ---------------------------

function Invoke-VaultRun {
    <#
    Reconciles one vault and reports on its agents. Returns its section of the summary: outcome,
    message, counts, mappings, agents. Never throws for what ARM answers.
    #>
    param($BaseCtx, [string] $VaultId)
    $Ctx = $BaseCtx.Clone()
    $Ctx.VaultKey = ConvertTo-NormalizedId -Id $VaultId
    $section = [ordered]@{
        vault    = $VaultId
        outcome  = $null
        message  = $null
        counts   = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
        mappings = @()
        agents   = $null
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
                'Get-RemainingMilliseconds', 'ConvertFrom-ArmBody', 'Get-ArmError', 'Get-ArmToken', 'Invoke-ArmRequest',
                'Test-InMageRcmValue', 'Test-MappingMatches', 'Set-ItemFailure', 'Invoke-MappingUpdate'
            )
            $definitions = ($functionNames | ForEach-Object { "function $_ {`n$((Get-Command -Name $_ -CommandType Function).Definition)`n}" }) -join "`n"
            $verbose = $VerbosePreference
            # MaxConcurrency workers drain one shared queue: each runspace loads the functions once, not once
            # per mapping, and a slow operation holds up only its own worker.
            $queue = [Collections.Concurrent.ConcurrentQueue[object]]::new()
            foreach ($item in $planned) { $queue.Enqueue($item) }
            $workers = [Math]::Min($Ctx.MaxConcurrency, $planned.Count)
            $updated = 1..$workers | ForEach-Object -ThrottleLimit $workers -Parallel {
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
            }
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
        $section.agents.message = 'The agent report was not read: the vault could not be listed.'
        return $section
    }
    if ($Ctx.SkipAgentReport) {
        $section.agents = New-AgentReport -Ctx $Ctx -State 'Skipped'
        $section.agents.message = 'The agent report was skipped (SkipAgentReport).'
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
    return $section
}

if (-not $fleet) {
    Write-Verbose ("Vault {0}; action {1}; providers {2}; dry run {3}; ARM {4}; runbook {5}." -f $VaultResourceId, $action, ($providerList -join ','), [bool] $DryRun, $armOrigin.Authority, $RunbookVersion)
    $section = Invoke-VaultRun -BaseCtx $Ctx -VaultId $VaultResourceId
    $Summary.counts = $section.counts
    $Summary.mappings = $section.mappings
    $Summary.agents = $section.agents
    Complete-Run -Summary $Summary -Outcome $section.outcome -Message $section.message
    return
}

# --- Fleet: each vault in turn, one deadline for all; a vault that fails does not stop the others --------
Write-Verbose ("Fleet of {0} vault(s); action {1}; providers {2}; dry run {3}; ARM {4}; runbook {5}." -f $vaultList.Count, $action, ($providerList -join ','), [bool] $DryRun, $armOrigin.Authority, $RunbookVersion)
$sections = [Collections.Generic.List[object]]::new()
foreach ($vaultId in $vaultList) {
    try {
        $section = Invoke-VaultRun -BaseCtx $Ctx -VaultId $vaultId
    } catch {
        $section = [ordered]@{ vault = $vaultId; outcome = 'Failed'; message = "Unexpected error: $($_.Exception.Message)"; counts = [ordered]@{ listed = 0; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }; mappings = @(); agents = $null }
    }
    Write-Verbose "Vault ${vaultId}: $($section.outcome). $($section.message)"
    if (@('Succeeded', 'NoChange', 'DryRun') -notcontains $section.outcome) { Write-Warning "Vault ${vaultId}: $($section.outcome): $($section.message)" }
    $sections.Add($section)
}
$Summary.sections = @($sections)
foreach ($section in $sections) {
    $Summary.vaultOutcomes[$section.outcome] = 1 + [int] $Summary.vaultOutcomes[$section.outcome]
    foreach ($k in @($Summary.counts.Keys)) { $Summary.counts[$k] += $section.counts[$k] }
    if ($null -ne $section.agents) { foreach ($st in $AgentStatuses) { $Summary.agentCounts[$st] += $section.agents.counts[$st] } }
}
# The overall outcome is the most severe vault outcome (Failed, PartiallyFailed, TimedOut, ReportFailed,
# AgentsNeedAttention, Succeeded, DryRun, NoChange), except that Failed becomes PartiallyFailed when
# another vault did not fail.
$overall = $FleetOutcomePrecedence | Where-Object { $Summary.vaultOutcomes.Contains($_) } | Select-Object -First 1
if ($overall -eq 'Failed' -and $Summary.vaultOutcomes.Count -gt 1) { $overall = 'PartiallyFailed' }
$byOutcome = @($Summary.vaultOutcomes.Keys | ForEach-Object { "$($Summary.vaultOutcomes[$_]) $_" }) -join ', '
Complete-Run -Summary $Summary -Outcome $overall -Message "$($sections.Count) vault(s): $byOutcome."
