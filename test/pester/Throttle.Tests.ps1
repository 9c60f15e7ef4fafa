# Throttle pacing: the per-subscription budget (Get-ThrottleBudget, Update-ThrottleBudget,
# Wait-ThrottleBudget) and the server-suggested waits (Get-RetryDelayMilliseconds).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Runbook.ps1')
    function New-TestCtx {
        @{
            Deadline = [DateTimeOffset]::UtcNow.AddMinutes(5)
            Budgets  = [Collections.Concurrent.ConcurrentDictionary[string, object]]::new()
            LowReads = 100; LowWrites = 40
        }
    }
    function New-Answer([hashtable] $Headers) { [pscustomobject] @{ Headers = $Headers; StatusCode = 200 } }
    $sub = '6f1c2a9e-3b4d-4c5e-8f70-9a1b2c3d4e5f'
}

Describe 'the throttle budget' {
    It 'keeps one budget per subscription, and one for tenant-level calls' {
        $ctx = New-TestCtx
        $a = Get-ThrottleBudget -Ctx $ctx -Url "https://arm/subscriptions/$sub/resourceGroups/rg?api-version=1"
        $b = Get-ThrottleBudget -Ctx $ctx -Url "https://arm/subscriptions/$($sub.ToUpperInvariant())/providers/x"
        $t = Get-ThrottleBudget -Ctx $ctx -Url 'https://arm/providers/Microsoft.ResourceGraph/resources'
        [object]::ReferenceEquals($a, $b) | Should -BeTrue
        $a.Key | Should -Be $sub
        $t.Key | Should -Be 'tenant'
    }

    It 'does not pace while the remaining reads and writes are above the low-water marks' {
        $ctx = New-TestCtx
        $budget = Get-ThrottleBudget -Ctx $ctx -Url "https://arm/subscriptions/$sub/x"
        Update-ThrottleBudget -Ctx $ctx -Budget $budget -Response (New-Answer @{ 'x-ms-ratelimit-remaining-subscription-reads' = '249'; 'x-ms-ratelimit-remaining-subscription-writes' = '199' }) -Method Get -WaitMs $null
        $budget.ReadPaceMs | Should -Be 0
        $budget.WritePaceMs | Should -Be 0
        $budget.Paced | Should -BeFalse
    }

    It 'paces more the fewer requests are left: <Reads> reads left -> <Pace> ms between reads' -ForEach @(
        @{ Reads = '99'; Pace = 10 }, @{ Reads = '50'; Pace = 500 }, @{ Reads = '1'; Pace = 990 }, @{ Reads = '0'; Pace = 1000 }
    ) {
        $ctx = New-TestCtx
        $budget = Get-ThrottleBudget -Ctx $ctx -Url "https://arm/subscriptions/$sub/x"
        Update-ThrottleBudget -Ctx $ctx -Budget $budget -Response (New-Answer @{ 'x-ms-ratelimit-remaining-subscription-reads' = $Reads }) -Method Get -WaitMs $null
        $budget.ReadPaceMs | Should -Be $Pace
        $budget.Paced | Should -BeTrue
    }

    It 'spaces the slots it hands out by the pace, writes by the larger of both paces' {
        $ctx = New-TestCtx
        $budget = Get-ThrottleBudget -Ctx $ctx -Url "https://arm/subscriptions/$sub/x"
        $budget.ReadPaceMs = 200
        $budget.WritePaceMs = 300
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Wait-ThrottleBudget -Ctx $ctx -Budget $budget -Method Get | Should -BeTrue
        Wait-ThrottleBudget -Ctx $ctx -Budget $budget -Method Get | Should -BeTrue
        Wait-ThrottleBudget -Ctx $ctx -Budget $budget -Method Patch | Should -BeTrue
        $clock.ElapsedMilliseconds | Should -BeGreaterOrEqual 350
        ($budget.Next - [DateTimeOffset]::UtcNow).TotalMilliseconds | Should -BeGreaterThan 150
    }

    It 'holds every request of the subscription for the wait a 429 asked, and refuses a slot past the deadline' {
        $ctx = New-TestCtx
        $budget = Get-ThrottleBudget -Ctx $ctx -Url "https://arm/subscriptions/$sub/x"
        Update-ThrottleBudget -Ctx $ctx -Budget $budget -Response (New-Answer @{}) -Method Get -WaitMs 120000
        ($budget.Next - [DateTimeOffset]::UtcNow).TotalSeconds | Should -BeGreaterThan 100
        $ctx.Deadline = [DateTimeOffset]::UtcNow.AddSeconds(30)
        Wait-ThrottleBudget -Ctx $ctx -Budget $budget -Method Get | Should -BeFalse
    }

    It "holds the tenant's budget while Resource Graph's user quota is spent, until it resets" {
        $ctx = New-TestCtx
        $budget = Get-ThrottleBudget -Ctx $ctx -Url 'https://arm/providers/Microsoft.ResourceGraph/resources'
        Update-ThrottleBudget -Ctx $ctx -Budget $budget -Response (New-Answer @{ 'x-ms-user-quota-remaining' = '0'; 'x-ms-user-quota-resets-after' = '00:00:05' }) -Method Post -WaitMs $null
        ($budget.Next - [DateTimeOffset]::UtcNow).TotalMilliseconds | Should -BeGreaterThan 4000
    }
}

Describe 'the wait a server asks for' {
    It 'reads <Name>' -ForEach @(
        @{ Name = 'retry-after-ms'; Headers = @{ 'retry-after-ms' = '1500'; 'Retry-After' = '9' }; Ms = 1500 }
        @{ Name = 'x-ms-retry-after-ms'; Headers = @{ 'x-ms-retry-after-ms' = '250' }; Ms = 250 }
        @{ Name = 'Retry-After in seconds'; Headers = @{ 'retry-after' = '3' }; Ms = 3000 }
        @{ Name = 'nothing usable'; Headers = @{ 'Retry-After' = 'soon' }; Ms = $null }
    ) {
        Get-RetryDelayMilliseconds -Headers $Headers | Should -Be $Ms
    }

    It 'reads Retry-After as an HTTP date' {
        $at = [DateTimeOffset]::UtcNow.AddSeconds(20).ToString('r', [Globalization.CultureInfo]::InvariantCulture)
        Get-RetryDelayMilliseconds -Headers @{ 'Retry-After' = $at } | Should -BeGreaterThan 15000
    }

    It 'backs off exponentially with jitter, capped at 60 s' {
        foreach ($attempt in 1..12) {
            $ms = Get-BackoffMilliseconds -Attempt $attempt
            $ceiling = [Math]::Min(60000, 1000 * [Math]::Pow(2, [Math]::Min($attempt, 10)))
            $ms | Should -BeGreaterOrEqual ([int] ($ceiling / 2))
            $ms | Should -BeLessOrEqual $ceiling
        }
    }
}
