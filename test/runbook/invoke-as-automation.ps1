# Test harness only (not shipped): runs the runbook the way an Azure Automation job does. Parameters
# are bound by name from a dictionary, with the lower-cased keys a job schedule sends, and every
# stream is recorded on its own, so the tests can tell the Output stream from Verbose, Warning and
# Error. Writes one JSON line per record to stdout, then an End record saying whether the run threw
# (the job would end Failed).
#   -ParameterFile f.json   runs each parameter set of the JSON array in f.json; exits 1 when the last threw.
#   -Serve                  reads jobs from stdin, one JSON line each: { id, parameters, environment },
#                           so that one warm pwsh serves many runs (each job gets its own environment).
param(
    [Parameter(Mandatory)] [string] $Runbook,
    [string] $ParameterFile,
    [switch] $Serve
)
$ErrorActionPreference = 'Stop'

function Invoke-Job {
    param($Id, [hashtable] $JobParameters)
    $failed = $false
    $message = $null
    $started = [DateTimeOffset]::UtcNow
    try {
        & $Runbook @JobParameters *>&1 | ForEach-Object {
            $record = $_
            $stream = switch ($record) {
                { $_ -is [Management.Automation.ErrorRecord] } { 'Error'; break }
                { $_ -is [Management.Automation.WarningRecord] } { 'Warning'; break }
                { $_ -is [Management.Automation.VerboseRecord] } { 'Verbose'; break }
                { $_ -is [Management.Automation.DebugRecord] } { 'Debug'; break }
                { $_ -is [Management.Automation.InformationRecord] } { 'Information'; break }
                default { 'Output' }
            }
            $text = if ($record -is [string]) { $record }
            elseif ($stream -eq 'Error') { [string] $record.Exception.Message }
            elseif ($stream -in 'Warning', 'Verbose', 'Debug') { [string] $record.Message }
            else { ($record | Out-String).TrimEnd() }
            $type = if ($null -eq $record) { 'null' } else { $record.GetType().FullName }
            [Console]::Out.WriteLine((@{ run = $Id; stream = $stream; type = $type; text = $text } | ConvertTo-Json -Compress))
        }
    } catch {
        $failed = $true
        $message = [string] $_.Exception.Message
    }
    $ms = [int] ([DateTimeOffset]::UtcNow - $started).TotalMilliseconds
    [Console]::Out.WriteLine((@{ run = $Id; stream = 'End'; failed = $failed; text = $message; ms = $ms } | ConvertTo-Json -Compress))
    return $failed
}

if ($Serve) {
    [Console]::Out.WriteLine('{"stream":"Ready"}')
    while ($null -ne ($line = [Console]::In.ReadLine())) {
        if (-not $line.Trim()) { continue }
        $job = $line | ConvertFrom-Json -AsHashtable -Depth 10
        $names = @($job.environment.Keys)
        foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, [string] $job.environment[$name]) }
        try {
            $null = Invoke-Job -Id $job.id -JobParameters $job.parameters
        } finally {
            foreach ($name in $names) { [Environment]::SetEnvironmentVariable($name, $null) }
        }
    }
    exit 0
}

$runs = @(Get-Content -Raw -LiteralPath $ParameterFile | ConvertFrom-Json -AsHashtable -Depth 10)
$failed = $false
for ($i = 0; $i -lt $runs.Count; $i++) { $failed = Invoke-Job -Id $i -JobParameters $runs[$i] }
if ($failed) { exit 1 }
exit 0
