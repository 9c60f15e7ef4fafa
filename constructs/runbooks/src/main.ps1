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
