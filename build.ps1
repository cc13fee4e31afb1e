#Requires -Version 7.2
<#
.SYNOPSIS
Builds the gitlabcli engine and stages it in the GitlabCli module; optionally tests or demos it.

.DESCRIPTION
With no switch: `cargo build --release` and copies target/release/gitlabcli into
module/GitlabCli/bin/<rid>/, then `dotnet build` of module/GitlabCli.Cmdlets and copies
GitlabCli.dll into module/GitlabCli/, so `Import-Module ./module/GitlabCli/GitlabCli.psd1` works
straight after.

-Test: builds, then runs `cargo fmt --check`, `cargo clippy --all-targets -- -D warnings`,
`cargo test`, `cargo test --example fake-gitlab`, `cargo build --example fake-gitlab`, the Pester tests under tests/pester (Pester
5.7.1 is fetched from NuGet into .tools/ when no Pester 5 is installed) and a smoke run of the
benchmark (bench/run.ps1 -Count 20 -Smoke; without -PesterOnly or -PesterFilter). Every step runs even when
an earlier test step failed; the script exits non-zero when any step failed.

-Package: builds, then writes target/package/GitlabCli.<version>.nupkg with PSResourceGet's own
Compress-PSResource: the manifest (version from Cargo.toml, tags naming only the platforms
shipped, release notes from docs/CHANGELOG.md), GitlabCli.dll, its help, format file, schema,
LICENSE and the engine under bin/<rid>/. -EngineDirectory takes a folder of <rid>/gitlabcli[.exe]
engines built elsewhere (docs/RELEASING.md); without it the package holds this machine's engine.

-Demo: builds, starts the fake GitLab, points GITLAB_URL and GITLAB_ACCESS_TOKEN at it, runs the
three examples of New-GitlabPersonalAccessToken's documentation, then lists, rotates and revokes
jsmith's tokens, and stops the fake. A quick try for anyone without a GitLab instance.

.EXAMPLE
./build.ps1

.EXAMPLE
xvfb-run -a pwsh ./build.ps1 -Test
#>
[CmdletBinding(DefaultParameterSetName = 'Build')]
param(
    # Build, then run every test: cargo fmt/clippy/test and Pester.
    [Parameter(ParameterSetName = 'Test')]
    [switch] $Test,

    # Pester only (after building); skips fmt, clippy and cargo test.
    [Parameter(ParameterSetName = 'Test')]
    [switch] $PesterOnly,

    # Run only the Pester files whose names match (e.g. 'Surface'); with -Test.
    [Parameter(ParameterSetName = 'Test')]
    [string[]] $PesterFilter,

    # Build, then run the documented examples against the fake GitLab.
    [Parameter(ParameterSetName = 'Demo')]
    [switch] $Demo,

    # Build, then write the module's .nupkg into target/package/.
    [Parameter(ParameterSetName = 'Package')]
    [switch] $Package,

    # With -Package: a folder of engines built elsewhere, laid out as <rid>/gitlabcli[.exe].
    [Parameter(ParameterSetName = 'Package')]
    [string] $EngineDirectory
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$root = $PSScriptRoot
$pesterVersion = '5.7.1'
# cargo's output folder; CARGO_TARGET_DIR moves it (the tests follow it too).
$targetDir = if ($env:CARGO_TARGET_DIR) { [System.IO.Path]::GetFullPath($env:CARGO_TARGET_DIR, $root) } else { Join-Path $root 'target' }

function Get-GitlabCliRuntimeId {
    # The .NET runtime identifier of this machine, which names the engine's folder under bin/: the
    # same rule as the module's own ([GitlabCli.Engine]::RuntimeId, Engine.cs).
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $arch = switch ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture) {
        'X64' { 'x64' }
        'Arm64' { 'arm64' }
        default { "$_".ToLowerInvariant() }
    }
    "$os-$arch"
}

# The runtimes a package may carry an engine for, and the gallery tag of each one's platform.
$runtimePlatforms = [ordered]@{
    'linux-x64' = 'Linux'; 'linux-arm64' = 'Linux'; 'osx-x64' = 'MacOS'; 'osx-arm64' = 'MacOS'; 'win-x64' = 'Windows'
}

function Get-GitlabCliVersion {
    # The one place the version is written: Cargo.toml's [package] version.
    $text = [System.IO.File]::ReadAllText((Join-Path $root 'Cargo.toml'))
    $match = [regex]::Match($text, '(?ms)^\[package\].*?^version\s*=\s*"([^"]+)"')
    if (-not $match.Success) { throw 'Cargo.toml has no [package] version.' }
    $match.Groups[1].Value
}

function Sync-ManifestVersion([string] $Version) {
    # GitlabCli.psd1's ModuleVersion follows Cargo.toml (the manifest must stay a plain, importable
    # file, so the build writes the one line rather than generating the manifest).
    $path = Join-Path $root 'module' 'GitlabCli' 'GitlabCli.psd1'
    $text = [System.IO.File]::ReadAllText($path)
    $synced = [regex]::Replace($text, "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$Version'")
    if ($synced -ne $text) {
        [System.IO.File]::WriteAllText($path, $synced)
        Write-Host "    ModuleVersion set to $Version (from Cargo.toml) in $path"
    }
}

function Copy-IfChanged([string] $Source, [string] $Destination) {
    # Stages a build output. A file whose bytes did not change is left alone: overwriting an
    # assembly a PowerShell process has loaded, or an engine that is running, would break it.
    if ((Test-Path -LiteralPath $Destination) -and
        [System.Linq.Enumerable]::SequenceEqual([byte[]] [System.IO.File]::ReadAllBytes($Source), [byte[]] [System.IO.File]::ReadAllBytes($Destination))) {
        return
    }
    Copy-Item -LiteralPath $Source -Destination $Destination -Force
}

function Write-Step([string] $Text) {
    Write-Host "==> $Text" -ForegroundColor Cyan
}

function Invoke-Native {
    # Runs a program; returns $true when it exited 0.
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments = @())
    Write-Host "    $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    # To the host: the program's output must not become this function's return value.
    & $File @Arguments | Out-Host
    $LASTEXITCODE -eq 0
}

function Build-Help {
    # docs/help/*.md (the PlatyPS page format) -> module/GitlabCli/en-US/: GitlabCli.dll-Help.xml,
    # the MAML file Get-Help reads for the module's cmdlets, and about_GitlabCli.help.txt. Fails,
    # listing them, when a page lacks something.
    Write-Step 'Building help (docs/help -> module/GitlabCli/en-US/)'
    Import-Module (Join-Path $root 'module' 'help' 'MarkdownHelp.psm1') -Force
    $pages = Join-Path $root 'docs' 'help'
    $help = Join-Path $root 'module' 'GitlabCli' 'en-US'
    foreach ($file in @(Export-MamlHelp -Path $pages -Destination (Join-Path $help 'GitlabCli.dll-Help.xml')) + @(Export-AboutHelp -Path $pages -Destination $help)) {
        Write-Host "    staged $file"
    }
}

function Build-Engine {
    Write-Step 'Building the engine (cargo build --release)'
    Push-Location $root
    try {
        if (-not (Invoke-Native cargo @('build', '--release', '--locked'))) {
            throw 'cargo build --release failed.'
        }
    } finally {
        Pop-Location
    }
    $exe = if ($IsWindows) { 'gitlabcli.exe' } else { 'gitlabcli' }
    $source = Join-Path $targetDir 'release' $exe
    $destination = Join-Path $root 'module' 'GitlabCli' 'bin' (Get-GitlabCliRuntimeId)
    New-Item -ItemType Directory -Force -Path $destination | Out-Null
    Copy-IfChanged $source (Join-Path $destination $exe)
    Write-Host "    staged $(Join-Path $destination $exe)"
}

function Build-Module {
    # Compiles the cmdlets (module/GitlabCli.Cmdlets/GitlabCli.csproj, netstandard2.0 against
    # PowerShellStandard.Library) and copies GitlabCli.dll beside the manifest, which loads it as
    # its RootModule.
    Write-Step 'Building the cmdlets (dotnet build module/GitlabCli.Cmdlets)'
    $project = Join-Path $root 'module' 'GitlabCli.Cmdlets' 'GitlabCli.csproj'
    $output = Join-Path $root 'module' 'GitlabCli.Cmdlets' 'bin' 'Release'
    $version = Get-GitlabCliVersion
    Sync-ManifestVersion $version
    if (-not (Invoke-Native dotnet @('build', $project, '-c', 'Release', '-nologo', '-v', 'quiet', '-o', $output, "-p:Version=$version"))) {
        throw 'dotnet build of module/GitlabCli.Cmdlets failed.'
    }
    $destination = Join-Path $root 'module' 'GitlabCli' 'GitlabCli.dll'
    Copy-IfChanged (Join-Path $output 'GitlabCli.dll') $destination
    Write-Host "    staged $destination"
}

function Get-ReleaseNote([string] $Version) {
    # The section of docs/CHANGELOG.md headed with this version.
    $text = [System.IO.File]::ReadAllText((Join-Path $root 'docs' 'CHANGELOG.md'))
    $match = [regex]::Match($text, "(?ms)^## $([regex]::Escape($Version))\b[^\n]*\n(.*?)(?=^## |\z)")
    if (-not $match.Success) { throw "docs/CHANGELOG.md has no '## $Version' section: write the release notes first." }
    $match.Groups[1].Value.Trim()
}

function Build-Package {
    # Stages the module as it ships, then packs it with PSResourceGet (Compress-PSResource).
    $version = Get-GitlabCliVersion
    $out = Join-Path $targetDir 'package'
    $stage = Join-Path $out 'stage' 'GitlabCli'
    Write-Step "Packaging GitlabCli $version (Compress-PSResource)"
    if (Test-Path -LiteralPath (Join-Path $out 'stage')) { Remove-Item -LiteralPath (Join-Path $out 'stage') -Recurse -Force }
    New-Item -ItemType Directory -Force -Path $stage | Out-Null
    $module = Join-Path $root 'module' 'GitlabCli'
    foreach ($item in 'GitlabCli.psd1', 'GitlabCli.dll', 'GitlabCli.Format.ps1xml', 'GitlabCli.Protocol.schema.json', 'en-US') {
        Copy-Item -LiteralPath (Join-Path $module $item) -Destination $stage -Recurse -Force
    }
    Copy-Item -LiteralPath (Join-Path $root 'LICENSE') -Destination $stage -Force

    # The engines: built elsewhere (-EngineDirectory, <rid>/gitlabcli[.exe]) or this machine's.
    $engines = if ($EngineDirectory) { (Resolve-Path -LiteralPath $EngineDirectory).Path } else { Join-Path $module 'bin' }
    $runtimes = [System.Collections.Generic.List[string]]::new()
    foreach ($folder in Get-ChildItem -LiteralPath $engines -Directory | Sort-Object Name) {
        if (-not $runtimePlatforms.Contains($folder.Name)) {
            throw "Engine folder '$($folder.FullName)' is not one of the runtimes GitlabCli ships ($($runtimePlatforms.Keys -join ', '))."
        }
        $exe = if ($folder.Name -like 'win-*') { 'gitlabcli.exe' } else { 'gitlabcli' }
        $engine = Join-Path $folder.FullName $exe
        if (-not (Test-Path -LiteralPath $engine)) { throw "Engine folder '$($folder.FullName)' has no $exe." }
        $destination = Join-Path $stage 'bin' $folder.Name
        New-Item -ItemType Directory -Force -Path $destination | Out-Null
        Copy-Item -LiteralPath $engine -Destination $destination -Force
        $runtimes.Add($folder.Name)
    }
    if ($runtimes.Count -eq 0) { throw "No engine to package under '$engines'." }

    # What a gallery shows: the platforms actually shipped, the release notes, the license.
    $platforms = @($runtimes | ForEach-Object { $runtimePlatforms[$_] } | Sort-Object -Unique)
    $manifest = Join-Path $stage 'GitlabCli.psd1'
    $data = Import-PowerShellDataFile -LiteralPath $manifest
    $tags = @($data.PrivateData.PSData.Tags) + $platforms
    Update-PSModuleManifest -Path $manifest -ModuleVersion $version -Tags $tags -ReleaseNotes (Get-ReleaseNote $version)
    Compress-PSResource -Path $stage -DestinationPath $out
    $nupkg = Join-Path $out "GitlabCli.$version.nupkg"
    if (-not (Test-Path -LiteralPath $nupkg)) { throw "Compress-PSResource wrote no $nupkg." }
    Write-Host "    wrote $nupkg ($($runtimes -join ', '); tags: $($tags -join ', '))"
}

function Import-Pester {
    # Pester 5: an installed one, else $pesterVersion restored from NuGet into .tools/.
    $installed = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version.Major -eq 5 } |
        Sort-Object Version -Descending | Select-Object -First 1
    if ($installed) {
        Import-Module $installed.Path -Force
        return
    }
    $tools = Join-Path $root '.tools'
    $manifest = Join-Path $tools 'packages' 'pester' $pesterVersion 'tools' 'Pester.psd1'
    if (-not (Test-Path -LiteralPath $manifest)) {
        Write-Step "Fetching Pester $pesterVersion from NuGet into .tools/"
        $project = Join-Path $tools 'pester-restore'
        New-Item -ItemType Directory -Force -Path $project | Out-Null
        @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>netstandard2.0</TargetFramework></PropertyGroup>
  <ItemGroup><PackageReference Include="Pester" Version="$pesterVersion" /></ItemGroup>
</Project>
"@ | Set-Content -LiteralPath (Join-Path $project 'pester-restore.csproj')
        if (-not (Invoke-Native dotnet @('restore', (Join-Path $project 'pester-restore.csproj'), '--packages', (Join-Path $tools 'packages')))) {
            throw "dotnet restore of Pester $pesterVersion failed."
        }
    }
    Import-Module $manifest -Force
}

function Invoke-Pester5 {
    Import-Pester
    $configuration = New-PesterConfiguration
    $paths = @(Get-ChildItem -LiteralPath (Join-Path $root 'tests' 'pester') -Filter '*.Tests.ps1' | ForEach-Object FullName)
    if ($PesterFilter) {
        # `pwsh -File build.ps1 -PesterFilter A,B` passes one string: split it.
        $filters = @($PesterFilter -split ',' | ForEach-Object Trim | Where-Object { $_ })
        $paths = @($paths | Where-Object { $file = Split-Path $_ -Leaf; @($filters | Where-Object { $file -like "*$_*" }).Count -gt 0 })
    }
    $configuration.Run.Path = $paths
    $configuration.Run.PassThru = $true
    $configuration.Run.Exit = $false
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = Join-Path $root 'TestResults' 'pester.xml'
    New-Item -ItemType Directory -Force -Path (Join-Path $root 'TestResults') | Out-Null
    Write-Step "Pester $((Get-Module Pester).Version)"
    # In a child scope without this script's strict mode, which the test files would inherit.
    & {
        Set-StrictMode -Off
        Invoke-Pester -Configuration $configuration
    }
}

function Start-Fake {
    $exe = if ($IsWindows) { 'fake-gitlab.exe' } else { 'fake-gitlab' }
    $path = Join-Path $targetDir 'debug' 'examples' $exe
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($path)
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true
    $startInfo.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $line = $process.StandardOutput.ReadLine()
    if (-not $line) {
        throw "The fake GitLab ($path) exited without announcing its address."
    }
    [pscustomobject]@{ Process = $process; Info = ($line | ConvertFrom-Json) }
}

function Stop-Fake($Fake) {
    $Fake.Process.StandardInput.Close()
    if (-not $Fake.Process.WaitForExit(5000)) {
        $Fake.Process.Kill()
    }
}

function Invoke-Demo {
    Write-Step 'Building the fake GitLab (cargo build --example fake-gitlab)'
    Push-Location $root
    try {
        if (-not (Invoke-Native cargo @('build', '--example', 'fake-gitlab', '--locked'))) {
            throw 'cargo build --example fake-gitlab failed.'
        }
    } finally {
        Pop-Location
    }
    $fake = Start-Fake
    $saved = @{}
    foreach ($name in 'GITLAB_URL', 'GITLAB_ACCESS_TOKEN', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy') {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    try {
        foreach ($name in 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy') {
            [Environment]::SetEnvironmentVariable($name, $null)
        }
        $env:GITLAB_URL = $fake.Info.url
        $env:GITLAB_ACCESS_TOKEN = $fake.Info.admin_token
        Write-Step "Fake GitLab at $($fake.Info.url), signed in as its administrator (root); it also knows jsmith and alice"
        Import-Module (Join-Path $root 'module' 'GitlabCli' 'GitlabCli.psd1') -Force
        $nextYear = (Get-Date).AddYears(1).ToString('yyyy-12-31')
        $examples = @(
            # The three examples of the documentation, as written...
            "New-GitlabPersonalAccessToken -Name 'CI Token' -Scope 'api' -ExpireInMonths 6"
            "New-GitlabPersonalAccessToken -Name 'Read Only' -Scope 'read_api', 'read_repository' -ExpiresAt '2025-12-31' -CopyToClipboard"
            "New-GitlabPersonalAccessToken -UserId 'jsmith' -Name 'Service Token' -Scope 'api'"
            # ...example 2 with a date still ahead, and a look before leaping.
            "New-GitlabPersonalAccessToken -Name 'Read Only' -Scope 'read_api', 'read_repository' -ExpiresAt '$nextYear' -CopyToClipboard"
            "New-GitlabPersonalAccessToken -UserId 'alice' -Name 'Deploy' -Scope 'read_repository' -ExpireInMonths 3 -WhatIf"
            # The rest of the lifecycle: list, rotate, revoke.
            "Get-GitlabPersonalAccessToken -UserId 'jsmith'"
            "Get-GitlabPersonalAccessToken -UserId 'jsmith' | Invoke-GitlabPersonalAccessTokenRotation -ExpireInMonths 1 -Confirm:`$false"
            "Get-GitlabPersonalAccessToken -UserId 'jsmith' -State active | Revoke-GitlabPersonalAccessToken -Confirm:`$false -PassThru"
            "Get-GitlabPersonalAccessToken -UserId 'jsmith'"
        )
        foreach ($example in $examples) {
            Write-Host ''
            Write-Host "PS> $example" -ForegroundColor Yellow
            try {
                & ([scriptblock]::Create("`$ErrorActionPreference = 'Stop'; $example")) | Format-Table | Out-Host
            } catch {
                Write-Host "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" -ForegroundColor Red
                if ($_.ErrorDetails.RecommendedAction) { Write-Host "  Recommendation: $($_.ErrorDetails.RecommendedAction)" -ForegroundColor DarkYellow }
            }
        }
    } finally {
        foreach ($name in $saved.Keys) {
            [Environment]::SetEnvironmentVariable($name, $saved[$name])
        }
        Stop-Fake $fake
        Write-Step 'Fake GitLab stopped'
    }
}

Build-Help
Build-Engine
Build-Module

if ($Demo) {
    Invoke-Demo
    return
}

if ($Package) {
    Build-Package
    return
}

if (-not $Test) {
    return
}

$failures = [System.Collections.Generic.List[string]]::new()
Push-Location $root
try {
    if (-not $PesterOnly) {
        Write-Step 'cargo fmt --check'
        if (-not (Invoke-Native cargo @('fmt', '--all', '--check'))) { $failures.Add('cargo fmt --check') }
        Write-Step 'cargo clippy --all-targets -- -D warnings'
        if (-not (Invoke-Native cargo @('clippy', '--all-targets', '--locked', '--', '-D', 'warnings'))) { $failures.Add('cargo clippy') }
        Write-Step 'cargo test'
        if (-not (Invoke-Native cargo @('test', '--locked'))) { $failures.Add('cargo test') }
        Write-Step "cargo test --example fake-gitlab (the fake's own unit tests)"
        if (-not (Invoke-Native cargo @('test', '--example', 'fake-gitlab', '--locked'))) { $failures.Add('cargo test --example fake-gitlab') }
    }
    Write-Step 'cargo build --example fake-gitlab'
    if (-not (Invoke-Native cargo @('build', '--example', 'fake-gitlab', '--locked'))) { $failures.Add('cargo build --example fake-gitlab') }
} finally {
    Pop-Location
}

$pester = $null
try {
    $pester = Invoke-Pester5 | Where-Object { $_ -is [Pester.Run] } | Select-Object -Last 1
} catch {
    Write-Host "Pester could not run: $($_.Exception.Message)" -ForegroundColor Red
}
if ($null -eq $pester) {
    $failures.Add('Pester did not run')
    $pester = [pscustomobject]@{ PassedCount = 0; FailedCount = 0; FailedBlocksCount = 0; FailedContainersCount = 0; SkippedCount = 0 }
} elseif ($pester.Result -ne 'Passed' -or $pester.FailedCount -gt 0 -or $pester.FailedBlocksCount -gt 0 -or $pester.FailedContainersCount -gt 0) {
    $failures.Add('Pester')
}
if ($pester.PassedCount -eq 0) {
    $failures.Add('Pester ran no test')
}

if (-not $PesterOnly -and -not $PesterFilter) {
    # The benchmark at a smoke size, so it cannot rot: it checks what it measures produced tokens
    # and the expected request counts, never how fast.
    Write-Step 'Benchmark smoke run (bench/run.ps1 -Count 20 -Smoke)'
    & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File (Join-Path $root 'bench' 'run.ps1') -Count 20 -Smoke
    if ($LASTEXITCODE -ne 0) { $failures.Add('benchmark smoke run') }
}

Write-Host ''
if ($failures.Count -gt 0) {
    Write-Host "Failed: $($failures -join ', ')" -ForegroundColor Red
}
# The plain closing line CI reads.
Write-Host "Pester: $($pester.PassedCount) passed, $($pester.FailedCount + $pester.FailedBlocksCount + $pester.FailedContainersCount) failed, $($pester.SkippedCount) skipped"
exit $(if ($failures.Count -gt 0) { 1 } else { 0 })
