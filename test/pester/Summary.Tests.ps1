# Summary capping: the fleet's lists of mappings and machines are capped over the whole job, most severe
# first (ConvertTo-FleetSections), and cut further until the document fits its byte budget
# (Complete-FleetRun); the counts stay complete.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Runbook.ps1')
    function New-TestSection([string] $Vault, [string[]] $Results, [string[]] $Statuses) {
        $counts = [ordered]@{}
        foreach ($s in $AgentStatuses) { $counts[$s] = @($Statuses | Where-Object { $_ -eq $s }).Count }
        [ordered]@{
            vault = $Vault; outcome = 'Succeeded'; message = 'm'; durationSeconds = 1.0
            counts = [ordered]@{ listed = $Results.Count; unchanged = 0; skipped = 0; planned = 0; succeeded = 0; failed = 0; timedOut = 0 }
            mappings = @(for ($i = 0; $i -lt $Results.Count; $i++) { [ordered]@{ id = "$Vault/m$i"; provider = 'A2A'; result = $Results[$i]; reason = 'r'; operationStatus = $null; errorCode = $null; errorMessage = $null; requestId = $null; attempts = 1 } })
            agents = [ordered]@{
                state = 'Complete'; protectedItems = $Statuses.Count; otherProviders = 0; needAttention = 0; counts = $counts; message = 'a'
                machines = @(for ($i = 0; $i -lt $Statuses.Count; $i++) { [ordered]@{ name = "$Vault-vm$i"; provider = 'A2A'; agentVersion = '9.1'; status = $Statuses[$i]; reasons = @() } })
            }
        }
    }
    function New-TestSummary { [ordered]@{ schemaVersion = 3; outcome = $null; message = $null; lists = $null; sections = @() } }
}

Describe 'the fleet summary lists' {
    It 'lists only the mappings not already in order, the most severe first, capped over the job' {
        $sections = @(
            (New-TestSection 'v1' @('Unchanged', 'Succeeded', 'Skipped', 'Planned') @()),
            (New-TestSection 'v2' @('Failed', 'Succeeded', 'TimedOut') @())
        )
        $view = ConvertTo-FleetSections -Sections $sections -MappingCap 3 -MachineCap 0
        $view.Lists.mappings.notInOrder | Should -Be 5
        $view.Lists.mappings.listed | Should -Be 3
        $view.Lists.mappings.truncated | Should -BeTrue
        @($view.Sections[1].mappings | ForEach-Object result) | Should -Be @('Failed', 'TimedOut')
        @($view.Sections[0].mappings | ForEach-Object result) | Should -Be @('Planned')
        $view.Sections[0].counts.listed | Should -Be 4
    }

    It 'lists the machines most severe first, capped over the job, and keeps every count' {
        $sections = @(
            (New-TestSection 'v1' @() @('Current', 'OutOfSupport', 'Current')),
            (New-TestSection 'v2' @() @('UpdatePending', 'Blocked'))
        )
        $view = ConvertTo-FleetSections -Sections $sections -MappingCap 0 -MachineCap 2
        $view.Lists.machines | Should -Not -BeNullOrEmpty
        $view.Lists.machines.read | Should -Be 5
        $view.Lists.machines.listed | Should -Be 2
        @($view.Sections[0].agents.machines | ForEach-Object status) | Should -Be @('OutOfSupport')
        @($view.Sections[1].agents.machines | ForEach-Object status) | Should -Be @('Blocked')
        $view.Sections[0].agents.counts.Current | Should -Be 2
    }

    It 'does not truncate what fits under the caps' {
        $view = ConvertTo-FleetSections -Sections @((New-TestSection 'v1' @('Failed') @('Current'))) -MappingCap 10 -MachineCap 10
        $view.Lists.mappings.truncated | Should -BeFalse
        $view.Lists.machines.truncated | Should -BeFalse
    }
}

Describe 'the byte budget' {
    It 'halves the larger list until the document fits, and writes one document within the budget' {
        $SummaryByteBudget = 6000
        $sections = @(1..4 | ForEach-Object { New-TestSection "v$_" @('Failed', 'Failed', 'Failed', 'Failed', 'Failed') @('Blocked', 'Blocked', 'Blocked', 'Blocked', 'Blocked') })
        $summary = New-TestSummary
        $out = @(Complete-FleetRun -Summary $summary -Sections $sections -Outcome 'Succeeded' -Message 'ok' -MachineCap 20 -Verbose:$false)
        $out.Count | Should -Be 1
        [Text.Encoding]::UTF8.GetByteCount($out[0]) | Should -BeLessOrEqual 6000
        $doc = $out[0] | ConvertFrom-Json
        $doc.lists.mappings.truncated | Should -BeTrue
        $doc.lists.mappings.notInOrder | Should -Be 20
        $doc.lists.machines.read | Should -Be 20
        $doc.outcome | Should -Be 'Succeeded'
    }

    It 'leaves a document already within the budget whole' {
        $summary = New-TestSummary
        $out = @(Complete-FleetRun -Summary $summary -Sections @((New-TestSection 'v1' @('Failed') @('Blocked'))) -Outcome 'Succeeded' -Message 'ok' -MachineCap 10)
        ($out[0] | ConvertFrom-Json).lists.mappings.truncated | Should -BeFalse
    }

    It 'fails when the outcome is not a success: the document is written, then the job throws' {
        $summary = New-TestSummary
        { Complete-FleetRun -Summary $summary -Sections @() -Outcome 'Failed' -Message 'no' -MachineCap 0 -ErrorAction SilentlyContinue } | Should -Throw '*ended with outcome Failed: no*'
    }
}
