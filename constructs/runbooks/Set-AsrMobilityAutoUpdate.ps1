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

    Exactly one JSON document is written to the Output stream, last, on success and on failure.
    Outcomes other than Succeeded, NoChange and DryRun throw after the summary, so the
    Automation job is marked Failed and `pwsh -File` exits non-zero.

.PARAMETER VaultResourceId
    /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}

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

.EXAMPLE
    pwsh -File Set-AsrMobilityAutoUpdate.ps1 -VaultResourceId /subscriptions/.../vaults/v1 -AutoUpdateAction Enabled -AutomationAccountArmId /subscriptions/.../automationAccounts/a1 -DryRun
#>
[CmdletBinding()]
param(
    [string] $VaultResourceId = '',
    [string] $AutoUpdateAction = '',
    [string] $AutomationAccountArmId = '',
    [string] $Providers = 'A2A',
    [string] $AzureEnvironment = 'AzureCloud',
    [string] $ArmEndpoint = '',
    [string] $ApiVersion = '2024-04-01',
    [string] $TimeoutSeconds = '3600',
    [string] $MaxConcurrency = '4',
    [string] $MaxRetries = '5',
    [switch] $DryRun
)

$ErrorActionPreference = 'Stop'
# Automation records the Verbose stream only when the runbook writes to it; a job schedule passes no
# -Verbose, so progress is on unless the caller says -Verbose:$false.
if (-not $PSBoundParameters.ContainsKey('Verbose')) { $VerbosePreference = 'Continue' }
$RunbookVersion = '1.0.0'
$SummarySchemaVersion = 1

# --- Cloud facts -------------------------------------------------------------------------------

$Clouds = @{
    AzureCloud        = @{ Arm = 'https://management.azure.com'; Audience = 'https://management.azure.com/' }
    AzureUSGovernment = @{ Arm = 'https://management.usgovcloudapi.net'; Audience = 'https://management.usgovcloudapi.net/' }
    AzureChinaCloud   = @{ Arm = 'https://management.chinacloudapi.cn'; Audience = 'https://management.chinacloudapi.cn/' }
}

$GuidPattern = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'
# Segments follow Azure's naming rules, so an id can never carry a query, a fragment, white space or a
# dot segment into a URL; \A and \z, because $ would also accept a trailing newline.
$ResourceGroupPattern = '[-\w.()]{0,89}[-\w()]'
$VaultIdPattern = "\A/subscriptions/$GuidPattern/resourceGroups/$ResourceGroupPattern/providers/Microsoft\.RecoveryServices/vaults/[A-Za-z][A-Za-z0-9-]{1,49}/?\z"
$AccountIdPattern = "\A/subscriptions/$GuidPattern/resourceGroups/$ResourceGroupPattern/providers/Microsoft\.Automation/automationAccounts/[A-Za-z][A-Za-z0-9-]{4,48}[A-Za-z0-9]/?\z"
$KnownProviders = @('A2A', 'InMageRcm')
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
    $json = $Item.body | ConvertTo-Json -Depth 10 -Compress
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
}

function Complete-Run {
    <# Writes the one JSON document and throws for every outcome that is not a success. #>
    param($Summary, [string] $Outcome, [string] $Message)
    $Summary.outcome = $Outcome
    $Summary.message = $Message
    $json = $Summary | ConvertTo-Json -Depth 10 -Compress
    Write-Output $json
    if (@('Succeeded', 'NoChange', 'DryRun') -notcontains $Outcome) {
        Write-Error -Message "Outcome ${Outcome}: $Message" -ErrorAction Continue
        throw "Set-AsrMobilityAutoUpdate ended with outcome ${Outcome}: $Message"
    }
}

# --- 1. Parameters, validated before any network call -----------------------------------------

$problems = [Collections.Generic.List[string]]::new()
if ($VaultResourceId -notmatch $VaultIdPattern) { $problems.Add("VaultResourceId '$VaultResourceId' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}.") }
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
foreach ($spec in @(@('TimeoutSeconds', $TimeoutSeconds, 5, 10200), @('MaxConcurrency', $MaxConcurrency, 1, 16), @('MaxRetries', $MaxRetries, 0, 10))) {
    $parsed = 0
    if ([int]::TryParse([string] $spec[1], [ref] $parsed) -and $parsed -ge $spec[2] -and $parsed -le $spec[3]) { $numbers[$spec[0]] = $parsed }
    else { $problems.Add("$($spec[0]) '$($spec[1])' must be an integer from $($spec[2]) to $($spec[3]).") }
}
$Summary.providers = $providerList
if ($action) { $Summary.action = $action }
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
}
Write-Verbose ("Vault {0}; action {1}; providers {2}; dry run {3}; ARM {4}; runbook {5}." -f $VaultResourceId, $action, ($providerList -join ','), [bool] $DryRun, $armOrigin.Authority, $RunbookVersion)

# --- 2. List every mapping, following nextLink to the end ------------------------------------------

$mappings = [Collections.Generic.List[object]]::new()
$url = '{0}{1}/replicationProtectionContainerMappings?api-version={2}' -f $armBase, $VaultResourceId.TrimEnd('/'), $ApiVersion
$pages = 0
# A listing that cannot finish ends the run: the outcome is decided here and reported once, below,
# outside the try (Complete-Run throws for failure outcomes, and that throw must not be caught here).
$listFailure = $null
try {
    while ($url) {
        $pages++
        if ($pages -gt 10000) { throw 'More than 10000 pages of mappings: stopping.' }
        $call = Invoke-ArmRequest -Ctx $Ctx -Method Get -Url $url
        if ($call.TimedOut) { $listFailure = @('TimedOut', "Listing mappings did not finish before the deadline: $($call.Error.Message)"); break }
        if ($null -eq $call.Response) { $listFailure = @('Failed', "Listing mappings failed: $($call.Error.Code): $($call.Error.Message)"); break }
        if ([int] $call.Response.StatusCode -ne 200) {
            $err = Get-ArmError -Response $call.Response
            $listFailure = @('Failed', "Listing mappings failed with HTTP $([int] $call.Response.StatusCode): $($err.Code): $($err.Message)")
            break
        }
        $page = ConvertFrom-ArmBody -Content $call.Response.Content
        if ($null -eq $page) { $listFailure = @('Failed', 'Listing mappings returned a body that is not JSON.'); break }
        foreach ($m in @($page.value)) { if ($null -ne $m) { $mappings.Add($m) } }
        $url = [string] $page.nextLink
        if ($url -and -not (Test-SameOrigin -Url $url -Origin $armOrigin)) {
            $listFailure = @('Failed', "A nextLink points at '$(([Uri] $url).Authority)', not the configured ARM host; the token was not sent there.")
            break
        }
    }
} catch {
    $listFailure = @('Failed', "Listing mappings failed: $($_.Exception.Message)")
}
if ($null -ne $listFailure) {
    Complete-Run -Summary $Summary -Outcome $listFailure[0] -Message $listFailure[1]
    return
}
Write-Verbose "Listed $($mappings.Count) mapping(s) in $pages page(s)."

# --- 3. Classify ------------------------------------------------------------------------------------

$items = @(foreach ($m in $mappings) { Get-MappingClassification -Mapping $m -Ctx $Ctx })
$Summary.counts.listed = $items.Count
$planned = @($items | Where-Object { $_.result -eq 'Planned' })
$Summary.counts.planned = $planned.Count

# --- 4. DryRun ----------------------------------------------------------------------------------------

if ($DryRun) {
    foreach ($item in $planned) { $item.result = 'WouldUpdate' }
} elseif ($planned.Count -gt 0) {
    # --- 5-7. Execute with bounded concurrency; verify; respect the deadline ----------------------------
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
    $workers = [Math]::Min($numbers.MaxConcurrency, $planned.Count)
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

# --- Report ------------------------------------------------------------------------------------------

foreach ($item in $items) { $item.Remove('body') }
$Summary.mappings = $items
$Summary.counts.unchanged = @($items | Where-Object { $_.result -eq 'Unchanged' }).Count
$Summary.counts.skipped = @($items | Where-Object { $_.result -eq 'Skipped' }).Count
$Summary.counts.succeeded = @($items | Where-Object { $_.result -eq 'Succeeded' }).Count
$Summary.counts.failed = @($items | Where-Object { $_.result -eq 'Failed' }).Count
$Summary.counts.timedOut = @($items | Where-Object { $_.result -eq 'TimedOut' }).Count
foreach ($item in $items | Where-Object { $_.result -eq 'Failed' }) { Write-Warning "Mapping $($item.id) failed: $($item.errorCode): $($item.errorMessage)" }

$c = $Summary.counts
if ($DryRun) {
    Complete-Run -Summary $Summary -Outcome 'DryRun' -Message "$($c.planned) of $($c.listed) mapping(s) would be updated; nothing was written."
} elseif ($c.planned -eq 0) {
    Complete-Run -Summary $Summary -Outcome 'NoChange' -Message "All $($c.listed) mapping(s) already carry the desired setting or were skipped."
} elseif ($c.succeeded -eq $c.planned) {
    Complete-Run -Summary $Summary -Outcome 'Succeeded' -Message "$($c.succeeded) mapping(s) updated and verified."
} elseif ($c.timedOut -gt 0 -and $c.failed -eq 0) {
    Complete-Run -Summary $Summary -Outcome 'TimedOut' -Message "$($c.timedOut) mapping(s) did not finish before the deadline; $($c.succeeded) succeeded. A rerun is safe."
} elseif ($c.succeeded -gt 0) {
    Complete-Run -Summary $Summary -Outcome 'PartiallyFailed' -Message "$($c.succeeded) succeeded, $($c.failed) failed, $($c.timedOut) timed out."
} else {
    Complete-Run -Summary $Summary -Outcome 'Failed' -Message "$($c.failed) failed, $($c.timedOut) timed out; nothing was updated."
}
