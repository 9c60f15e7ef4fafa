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
