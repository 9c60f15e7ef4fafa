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
