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
