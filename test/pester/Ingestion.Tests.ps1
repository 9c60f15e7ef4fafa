# Ingestion batching: rows for Log Analytics (New-IngestionRows) split into uploads under the API's
# limit (Split-IngestionBatches), in order, each row once; a row alone over the limit is reported.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Runbook.ps1')
    function New-Row([int] $N, [int] $Size) { [ordered]@{ n = $N; pad = ('x' * $Size) } }
}

Describe 'the upload batches' {
    It 'keeps every batch at most MaxBytes, rows in order, each once' {
        $rows = @(1..50 | ForEach-Object { New-Row $_ 100 })
        $split = Split-IngestionBatches -Rows $rows -MaxBytes 1000
        $split.Oversize | Should -Be 0
        $seen = @()
        foreach ($b in $split.Batches) {
            [Text.Encoding]::UTF8.GetByteCount($b.Body) | Should -BeLessOrEqual 1000
            $parsed = @($b.Body | ConvertFrom-Json)
            $parsed.Count | Should -Be $b.Rows
            $seen += @($parsed | ForEach-Object n)
        }
        $seen | Should -Be @(1..50)
        $split.Batches.Count | Should -BeGreaterThan 5
    }

    It 'fills a batch up to the limit exactly' {
        $one = ConvertTo-Json -InputObject (New-Row 1 10) -Compress
        $max = 2 + 3 * $one.Length + 2
        $split = Split-IngestionBatches -Rows @((New-Row 1 10), (New-Row 2 10), (New-Row 3 10)) -MaxBytes $max
        $split.Batches.Count | Should -Be 1
        $split.Batches[0].Rows | Should -Be 3
    }

    It 'reports a row that alone is over the limit, and sends the others' {
        $split = Split-IngestionBatches -Rows @((New-Row 1 10), (New-Row 2 5000), (New-Row 3 10)) -MaxBytes 1000
        $split.Oversize | Should -Be 1
        @($split.Batches | ForEach-Object { $_.Body | ConvertFrom-Json } | ForEach-Object n) | Should -Be @(1, 3)
    }

    It 'escapes non-ASCII characters, so the size in bytes is the length' {
        $split = Split-IngestionBatches -Rows @([ordered]@{ name = 'Zürich-é' }) -MaxBytes 1000
        $body = $split.Batches[0].Body
        $body | Should -Match '\\u00fc'
        [Text.Encoding]::UTF8.GetByteCount($body) | Should -Be $body.Length
    }

    It 'makes no batch of no rows' {
        (Split-IngestionBatches -Rows @() -MaxBytes 1000).Batches.Count | Should -Be 0
    }
}

Describe 'the rows' {
    It 'makes one run row per vault and one agent row per machine read, not only those listed' {
        $machine = [ordered]@{ name = 'vm1'; provider = 'A2A'; agentVersion = '9.1'; status = 'Current'; reasons = @('a', 'b'); facts = [ordered]@{ agentExpiryDate = '2027-06-01T00:00:00Z' } }
        $section = [ordered]@{
            vault = '/subscriptions/X/resourceGroups/RG/providers/Microsoft.RecoveryServices/vaults/V'; outcome = 'Succeeded'; durationSeconds = 2.5
            counts = [ordered]@{ listed = 3; succeeded = 1; failed = 1 }
            agents = [ordered]@{ machines = @(); allMachines = @($machine, $machine) }
        }
        $rows = New-IngestionRows -Sections @($section) -RunId 'run-1' -Time '2026-11-30T00:00:00.000Z'
        $rows[$RunStream].Count | Should -Be 1
        $rows[$AgentStream].Count | Should -Be 2
        $run = $rows[$RunStream][0]
        $run.VaultId | Should -Be '/subscriptions/x/resourcegroups/rg/providers/microsoft.recoveryservices/vaults/v'
        $run.MappingsListed | Should -Be 3
        $run.MappingsChanged | Should -Be 1
        $run.MappingsFailed | Should -Be 1
        $agent = $rows[$AgentStream][0]
        $agent.Reasons | Should -Be 'a,b'
        $agent.ExpiryDate | Should -Be '2027-06-01T00:00:00.000Z'
        $agent.RunId | Should -Be 'run-1'
    }
}
