# Input resolution: Resolve-RunInput returns what the job runs on, and every problem with the input,
# before any network call. The defaults are read from the script's own param block.
BeforeDiscovery {
    $otherVault = '/subscriptions/6f1c2a9e-3b4d-4c5e-8f70-9a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/rsv-b'
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Runbook.ps1')
    $vault = '/subscriptions/6f1c2a9e-3b4d-4c5e-8f70-9a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/rsv-a'
    $vault2 = '/subscriptions/6f1c2a9e-3b4d-4c5e-8f70-9a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.RecoveryServices/vaults/rsv-b'
    $account = '/subscriptions/6f1c2a9e-3b4d-4c5e-8f70-9a1b2c3d4e5f/resourceGroups/rg/providers/Microsoft.Automation/automationAccounts/aa-one'
    function New-Given([hashtable] $With) {
        $given = Get-RunbookDefaults
        $given.VaultResourceId = $vault
        $given.AutoUpdateAction = 'Enabled'
        $given.AutomationAccountArmId = $account
        foreach ($k in $With.Keys) { $given[$k] = $With[$k] }
        return $given
    }
}

Describe 'Resolve-RunInput' {
    It 'resolves one vault with the defaults: no problem, the cloud, the numbers' {
        $run = Resolve-RunInput -Given (New-Given @{})
        $run.Problems | Should -BeNullOrEmpty
        $run.Fleet | Should -BeFalse
        $run.Action | Should -Be 'Enabled'
        $run.Providers | Should -Be @('A2A')
        $run.Cloud | Should -Be 'AzureCloud'
        $run.ArmBase | Should -Be 'https://management.azure.com'
        $run.Numbers.MaxParallelVaults | Should -Be 8
        $run.Numbers.MaxRequestsInFlight | Should -Be 16
        $run.Numbers.TimeoutSeconds | Should -Be 3600
        $run.Ingestion | Should -BeNullOrEmpty
    }

    It 'normalises the action and the providers (case, spaces, repeats)' {
        $run = Resolve-RunInput -Given (New-Given @{ AutoUpdateAction = ' disabled '; Providers = 'inmagercm, A2A,a2a'; AutomationAccountArmId = '' })
        $run.Problems | Should -BeNullOrEmpty
        $run.Action | Should -Be 'Disabled'
        $run.Providers | Should -Be @('InMageRcm', 'A2A')
    }

    It 'resolves a fleet: the list trimmed, discovery, the tag, exclusions' {
        $run = Resolve-RunInput -Given (New-Given @{
                VaultResourceId = ''; VaultResourceIds = " $vault , $vault2"; DiscoverySubscriptionIds = '6F1C2A9E-3B4D-4C5E-8F70-9A1B2C3D4E5F'
                DiscoveryTag = 'asr=nightly'; ExcludeVaultResourceIds = $vault2.ToUpperInvariant()
            })
        $run.Problems | Should -BeNullOrEmpty
        $run.Fleet | Should -BeTrue
        $run.Discover | Should -BeTrue
        $run.VaultList | Should -Be @($vault, $vault2)
        $run.DiscoverySubscriptions | Should -Be @('6f1c2a9e-3b4d-4c5e-8f70-9a1b2c3d4e5f')
        $run.DiscoveryTagName | Should -Be 'asr'
        $run.DiscoveryTagValue | Should -Be 'nightly'
        $run.Excluded.ContainsKey($vault2.ToLowerInvariant()) | Should -BeTrue
    }

    It 'fails when <Name>' -ForEach @(
        @{ Name = 'the action is unknown'; With = @{ AutoUpdateAction = 'On' }; Problem = "AutoUpdateAction 'On' must be Enabled or Disabled." }
        @{ Name = 'a provider is unknown'; With = @{ Providers = 'A2A,HyperV' }; Problem = "Providers entry 'HyperV' must be one of A2A, InMageRcm." }
        @{ Name = 'A2A is enabled without an account'; With = @{ AutomationAccountArmId = '' }; Problem = 'AutomationAccountArmId is required when AutoUpdateAction is Enabled and Providers includes A2A.' }
        @{ Name = 'the cloud is unknown'; With = @{ AzureEnvironment = 'Mars' }; Problem = "AzureEnvironment 'Mars' must be AzureCloud, AzureUSGovernment or AzureChinaCloud." }
        @{ Name = 'the ARM endpoint is http to a host that is not loopback'; With = @{ ArmEndpoint = 'http://arm.example' }; Problem = "ArmEndpoint 'http://arm.example' must use https:// (http:// is allowed only for loopback hosts)." }
        @{ Name = 'the ARM endpoint has a path'; With = @{ ArmEndpoint = 'https://arm.example/x' }; Problem = "ArmEndpoint 'https://arm.example/x' must be an absolute URL with no path." }
        @{ Name = 'the API version is not a date'; With = @{ ApiVersion = 'latest' }; Problem = "ApiVersion 'latest' must be yyyy-mm-dd with an optional -preview." }
        @{ Name = 'a number is out of its range'; With = @{ MaxParallelVaults = '33' }; Problem = "MaxParallelVaults '33' must be an integer from 1 to 32." }
        @{ Name = 'a number is not an integer'; With = @{ TimeoutSeconds = '1.5' }; Problem = "TimeoutSeconds '1.5' must be an integer from 5 to 10200." }
        @{ Name = 'the report time has no zone'; With = @{ ReportTimeUtc = '2026-11-30T00:00:00' }; Problem = "ReportTimeUtc '2026-11-30T00:00:00' must be an ISO 8601 date and time with a zone, e.g. 2026-11-30T00:00:00Z." }
        @{ Name = 'ingestion has an endpoint without a rule'; With = @{ IngestionEndpoint = 'https://dce.westeurope-1.ingest.monitor.azure.com' }; Problem = "IngestionEndpoint 'https://dce.westeurope-1.ingest.monitor.azure.com' is given without IngestionRuleId: give both to send rows to Log Analytics, or neither." }
        @{ Name = 'one vault is combined with a list'; With = @{ VaultResourceIds = $otherVault }; Problem = 'VaultResourceId cannot be combined with VaultResourceIds or discovery: give one vault, or a list and/or a discovery scope.' }
        @{ Name = 'a tag narrows no discovery scope'; With = @{ VaultResourceId = ''; VaultResourceIds = $otherVault; DiscoveryTag = 'a=b' }; Problem = 'DiscoveryTag needs a discovery scope: DiscoverySubscriptionIds or DiscoveryManagementGroupId.' }
        @{ Name = 'a subscription is not a GUID'; With = @{ VaultResourceId = ''; DiscoverySubscriptionIds = 'abc' }; Problem = "DiscoverySubscriptionIds entry 'abc' must be a subscription id (a GUID)." }
    ) {
        (Resolve-RunInput -Given (New-Given $With)).Problems | Should -Be @($Problem)
    }

    It 'fails when a list names a vault twice (ids compare case-insensitively), and reports every problem at once' {
        $run = Resolve-RunInput -Given (New-Given @{ VaultResourceId = ''; VaultResourceIds = "$vault,$($vault.ToUpperInvariant() -replace 'SUBSCRIPTIONS', 'subscriptions')"; MaxRetries = '11' })
        $run.Problems.Count | Should -Be 2
        $run.Problems[0] | Should -BeLike 'VaultResourceIds names * twice (ids compare case-insensitively).'
        $run.Problems[1] | Should -Be "MaxRetries '11' must be an integer from 0 to 10."
    }

    It 'reads the report time as an instant, whether text or a DateTime a job made of it' {
        $text = Resolve-RunInput -Given (New-Given @{ ReportTimeUtc = '2026-11-30T01:00:00+01:00' })
        $text.ReportTime | Should -Be ([DateTimeOffset]::new(2026, 11, 30, 0, 0, 0, [TimeSpan]::Zero))
        $date = Resolve-RunInput -Given (New-Given @{ ReportTimeUtc = [DateTime]::SpecifyKind([DateTime]::new(2026, 11, 30), [DateTimeKind]::Utc) })
        $date.ReportTime | Should -Be ([DateTimeOffset]::new(2026, 11, 30, 0, 0, 0, [TimeSpan]::Zero))
    }
}
