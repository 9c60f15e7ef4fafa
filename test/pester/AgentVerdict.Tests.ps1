# The agent classification (Get-AgentVerdict) against the table classifyAgent is tested with
# (test/fixtures/agent-status-cases.json). The facts go through ConvertFrom-Json as an ARM answer does,
# so dates arrive as the runbook sees them.
BeforeDiscovery {
    $table = Get-Content -Raw -Path (Join-Path $PSScriptRoot '..' 'fixtures' 'agent-status-cases.json') | ConvertFrom-Json -Depth 32
    $cases = @($table.cases | ForEach-Object { @{ Name = $_.name; Case = ($_ | ConvertTo-Json -Depth 32 -Compress) } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Runbook.ps1')
}

Describe 'the agent classification' {
    It 'judges <Name> as classifyAgent does' -ForEach $cases {
        $c = $Case | ConvertFrom-Json -Depth 32
        $details = $c.facts | Select-Object -Property * -ExcludeProperty provider
        $now = [DateTimeOffset]::Parse($c.now, [Globalization.CultureInfo]::InvariantCulture)
        $verdict = Get-AgentVerdict -Provider $c.facts.provider -Details $details -Now $now -WindowDays $c.expiringWithinDays
        $verdict.status | Should -Be $c.expected.status
        @($verdict.reasons) | Should -Be @($c.expected.reasons)
    }
}
