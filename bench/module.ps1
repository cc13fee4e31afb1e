#Requires -Version 7.2
<#
.SYNOPSIS
Measures what the PowerShell module adds on top of the engine, against the fake GitLab.

.DESCRIPTION
Runs, against a release build of the fake GitLab on loopback:
  - importing the module in a fresh pwsh (minus a bare pwsh start);
  - one New-GitlabPersonalAccessToken call, end to end (engine start included);
  - N piped records: plans only (-WhatIf), and plans plus creates;
  - the same N creates sent to `gitlabcli serve` directly, without PowerShell.
The records name user 42 by id, so the numbers do not depend on username lookups. Prints a
table and writes bench/results/module-<date>.md. Needs ./build.ps1 to have run.

.EXAMPLE
pwsh bench/module.ps1 -Count 1000 -Repeat 3
#>
param(
    [int] $Count = 1000,
    [int] $Repeat = 3
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = Split-Path $PSScriptRoot
Import-Module (Join-Path $root 'tests' 'pester' 'TestHelpers.psm1') -Force

Push-Location $root
try {
    cargo build --release --quiet --example fake-gitlab
    if ($LASTEXITCODE -ne 0) { throw 'cargo build --release --example fake-gitlab failed' }
} finally {
    Pop-Location
}

function Measure-Median([scriptblock] $Block, [int] $Times = $Repeat) {
    $samples = foreach ($i in 1..$Times) { (Measure-Command $Block).TotalMilliseconds }
    ($samples | Sort-Object)[[int][math]::Floor(($Times - 1) / 2)]
}

Import-GitlabCliUnderTest
$engine = Get-EnginePath
$pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
$manifest = Get-ModuleManifestPath

# The release fake, not the debug one the tests use.
$targetDir = if ($env:CARGO_TARGET_DIR) { [System.IO.Path]::GetFullPath($env:CARGO_TARGET_DIR, $root) } else { Join-Path $root 'target' }
$fakePath = Join-Path $targetDir 'release' 'examples' $(if ($IsWindows) { 'fake-gitlab.exe' } else { 'fake-gitlab' })
$startInfo = [System.Diagnostics.ProcessStartInfo]::new($fakePath)
$startInfo.RedirectStandardInput = $true
$startInfo.RedirectStandardOutput = $true
$startInfo.UseShellExecute = $false
$process = [System.Diagnostics.Process]::Start($startInfo)
$info = $process.StandardOutput.ReadLine() | ConvertFrom-Json
$fake = [pscustomobject]@{ Process = $process; Url = $info.url.TrimEnd('/'); AdminToken = $info.admin_token; UserToken = $info.user_token }

$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row([string] $What, [double] $Milliseconds, [int] $Records = 1) {
    $rows.Add([pscustomobject]@{
            What                 = $What
            'Total (ms)'         = [math]::Round($Milliseconds, 1)
            'Per record (ms)'    = if ($Records -gt 1) { [math]::Round($Milliseconds / $Records, 3) } else { '' }
        })
}

try {
    Enter-TestEnvironment -Fake $fake | Out-Null

    $bare = Measure-Median { & $pwsh -NoProfile -NonInteractive -Command 'exit 0' }
    $withModule = Measure-Median { & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$manifest'; exit 0" }
    Add-Row 'Import-Module (fresh pwsh, minus a bare pwsh start)' ($withModule - $bare)

    Add-Row 'One token, end to end (engine start included)' (Measure-Median {
            New-GitlabPersonalAccessToken -UserId 42 -Name 'bench single' -Scope api | Out-Null
        } -Times 10)

    $records = foreach ($i in 1..$Count) { [pscustomobject]@{ UserId = '42'; Name = "bench $i" } }

    # -WhatIf prints a line per record through the host; a runspace without a UI host drops it.
    $plans = Measure-Median {
        $shell = [powershell]::Create()
        try {
            [void] $shell.AddScript("param(`$m, `$r) Import-Module `$m; `$r | New-GitlabPersonalAccessToken -Scope api, read_api -ExpireInMonths 6 -WhatIf").AddArgument($manifest).AddArgument($records)
            [void] $shell.Invoke()
        } finally { $shell.Dispose() }
    }
    $import = Measure-Median {
        $shell = [powershell]::Create()
        try { [void] $shell.AddScript("param(`$m) Import-Module `$m").AddArgument($manifest); [void] $shell.Invoke() } finally { $shell.Dispose() }
    }
    Add-Row "$Count piped records, -WhatIf (plans only)" ($plans - $import) $Count

    Add-Row "$Count piped records, created" (Measure-Median {
            $records | New-GitlabPersonalAccessToken -Scope api, read_api -ExpireInMonths 6 | Out-Null
        }) $Count

    $lines = foreach ($i in 1..$Count) {
        '{"v":1,"id":"' + $i + '","mode":"run","command":"create-personal-access-token","params":{"user":"42","name":"raw ' + $i + '","scopes":["api","read_api"],"expire_in_months":6}}'
    }
    $linesPath = Join-Path ([System.IO.Path]::GetTempPath()) "gitlabcli-bench-$PID.jsonl"
    Set-Content -LiteralPath $linesPath -Value $lines -Encoding utf8NoBOM
    Add-Row "$Count creates sent to gitlabcli serve directly" (Measure-Median {
            if ($IsWindows) { Get-Content -LiteralPath $linesPath | & $engine serve | Out-Null }
            else { & sh -c "'$engine' serve < '$linesPath' > /dev/null" }
        }) $Count
    Remove-Item -LiteralPath $linesPath
} finally {
    Exit-TestEnvironment
    $fake.Process.StandardInput.Close()
    [void] $fake.Process.WaitForExit(5000)
}

$table = $rows | Format-Table -AutoSize | Out-String -Width 200
$table
$cpu = if (Test-Path /proc/cpuinfo) { (Select-String -Path /proc/cpuinfo -Pattern '^model name' | Select-Object -First 1).Line -replace '^model name\s*:\s*', '' } else { '' }
$report = @(
    "# Module benchmark, $((Get-Date).ToUniversalTime().ToString('yyyy-MM-ddTHH:mmZ'))"
    ''
    "Machine: $([Environment]::ProcessorCount) cores $cpu, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription). PowerShell $($PSVersionTable.PSVersion). Engine and fake GitLab: release builds, loopback. Median of $Repeat runs (10 for the single call)."
    ''
    '| What | Total (ms) | Per record (ms) |'
    '|:---|---:|---:|'
    foreach ($row in $rows) { "| $($row.What) | $($row.'Total (ms)') | $($row.'Per record (ms)') |" }
)
$results = Join-Path $PSScriptRoot 'results'
New-Item -ItemType Directory -Force -Path $results | Out-Null
$file = Join-Path $results "module-$((Get-Date).ToString('yyyy-MM-dd')).md"
Set-Content -LiteralPath $file -Value $report -Encoding utf8NoBOM
"Wrote $file"
