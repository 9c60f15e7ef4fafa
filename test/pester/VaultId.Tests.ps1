# The vault-id rule ($VaultIdPattern, as Resolve-RunInput applies it) against the table the domain's
# parseVaultResourceId is tested with (test/fixtures/vault-id-cases.json).
BeforeDiscovery {
    $table = Get-Content -Raw -Path (Join-Path $PSScriptRoot '..' 'fixtures' 'vault-id-cases.json') | ConvertFrom-Json
    $good = @($table.good | ForEach-Object { @{ Name = $_.name; Id = $_.id } })
    $bad = @($table.bad | ForEach-Object { @{ Name = $_.name; Id = $_.id } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Runbook.ps1')
    $base = Get-RunbookDefaults
    $base.AutoUpdateAction = 'Disabled'
}

Describe 'the vault-id rule' {
    It 'accepts <Name>' -ForEach $good {
        $Id | Should -Match $VaultIdPattern
        $given = $base.Clone(); $given.VaultResourceId = $Id
        (Resolve-RunInput -Given $given).Problems | Should -BeNullOrEmpty
    }

    It 'fails when the id is <Name>' -ForEach $bad {
        $Id | Should -Not -Match $VaultIdPattern
        $given = $base.Clone(); $given.VaultResourceId = $Id
        (Resolve-RunInput -Given $given).Problems | Should -Be @("VaultResourceId '$Id' must be /subscriptions/{guid}/resourceGroups/{rg}/providers/Microsoft.RecoveryServices/vaults/{name}.")
    }
}
