# The engine's scheduling rules: when the next vault may start (Test-EngineCanOpen), and a mapping's
# wait never taken past the deadline (Wait-MappingStep).
BeforeAll {
    . (Join-Path $PSScriptRoot 'Runbook.ps1')
    function New-TestEngine([int] $MaxParallelVaults, [int] $Open, [int] $Reading, [int] $Ready, [int] $Parked) {
        $engine = @{
            Ctx = @{ MaxParallelVaults = $MaxParallelVaults }; VaultIds = @('a', 'b', 'c'); Next = 1; Open = $Open; Reading = $Reading; Width = 4
            Ready = [Collections.Generic.Queue[object]]::new(); Parked = [Collections.Generic.PriorityQueue[object, int64]]::new()
        }
        for ($i = 0; $i -lt $Ready; $i++) { $engine.Ready.Enqueue(@{}) }
        for ($i = 0; $i -lt $Parked; $i++) { $engine.Parked.Enqueue(@{}, [int64] $i) }
        return $engine
    }
}

Describe 'when the next vault starts' {
    It 'one vault after another with MaxParallelVaults 1: only when the one before has ended' {
        Test-EngineCanOpen -Engine (New-TestEngine 1 1 0 0 0) | Should -BeFalse
        Test-EngineCanOpen -Engine (New-TestEngine 1 0 0 0 0) | Should -BeTrue
    }

    It 'MaxParallelVaults vaults read side by side; a vault waiting on its operations does not count' {
        Test-EngineCanOpen -Engine (New-TestEngine 2 5 2 0 3) | Should -BeFalse
        Test-EngineCanOpen -Engine (New-TestEngine 2 5 1 0 3) | Should -BeTrue
    }

    It 'not faster than the pool drains the work: under 2x its width ready, 16x waiting' {
        Test-EngineCanOpen -Engine (New-TestEngine 8 1 0 8 0) | Should -BeFalse
        Test-EngineCanOpen -Engine (New-TestEngine 8 1 0 7 0) | Should -BeTrue
        Test-EngineCanOpen -Engine (New-TestEngine 8 1 0 0 64) | Should -BeFalse
    }

    It 'not once every vault has started' {
        $engine = New-TestEngine 8 0 0 0 0
        $engine.Next = 3
        Test-EngineCanOpen -Engine $engine | Should -BeFalse
    }
}

Describe 'a mapping waiting for its operation' {
    It 'is parked for the wait asked, before the deadline' {
        $item = @{ operationStatus = $null }
        $next = Wait-MappingStep -Item $item -Ctx @{ Deadline = [DateTimeOffset]::UtcNow.AddMinutes(1) } -Stage 'Poll' -WaitMs 1000 -Message 'late'
        $next.Stage | Should -Be 'Poll'
        $next.WaitMs | Should -Be 1000
    }

    It 'fails when the wait would pass the deadline: TimedOut, still InProgress, nothing parked' {
        $item = @{ operationStatus = $null; result = $null; errorCode = $null; errorMessage = $null }
        Wait-MappingStep -Item $item -Ctx @{ Deadline = [DateTimeOffset]::UtcNow.AddSeconds(1) } -Stage 'Poll' -WaitMs 5000 -Message 'late' | Should -BeNullOrEmpty
        $item.result | Should -Be 'TimedOut'
        $item.operationStatus | Should -Be 'InProgress'
        $item.errorCode | Should -Be 'DeadlineExceeded'
        $item.errorMessage | Should -Be 'late'
    }
}
