# Runs the runbook's Pester tests (test/pester/*.Tests.ps1) with Pester 6.2.0 as `dotnet restore
# test/pester/pester.proj` puts it in the NuGet cache. Prints one JSON line with the totals last;
# exits 1 when a test failed or none ran.
param([string] $PesterPath = '')
$ErrorActionPreference = 'Stop'
if (-not $PesterPath) {
    $root = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget' 'packages' }
    $PesterPath = Join-Path $root 'pester' '6.2.0' 'tools' 'Pester.psd1'
}
Import-Module -Name $PesterPath -Force
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
$totals = [ordered]@{
    pester = (Get-Module -Name Pester).Version.ToString(); powershell = $PSVersionTable.PSVersion.ToString()
    total = $result.TotalCount; passed = $result.PassedCount; failed = $result.FailedCount; skipped = $result.SkippedCount; notRun = $result.NotRunCount
    failures = @($result.Failed | ForEach-Object { $_.ExpandedPath })
}
Write-Output ($totals | ConvertTo-Json -Compress)
if ($result.FailedCount -gt 0 -or $result.PassedCount -eq 0 -or $result.Result -ne 'Passed') { exit 1 }
