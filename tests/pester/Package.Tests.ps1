# The package users install: ./build.ps1 -Package writes a .nupkg with PSResourceGet, which
# Install-PSResource installs into a fresh HOME (an empty module path), and the installed copy
# works by name: it creates a token against the fake GitLab, its help is there, and it uninstalls.
# Each step runs in a new pwsh, as a user's would.

BeforeDiscovery {
    $script:CanPackage = $null -ne (Get-Command Compress-PSResource -ErrorAction SilentlyContinue)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Root = Get-RepoRoot
    $script:Pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
    $script:Version = [regex]::Match([System.IO.File]::ReadAllText((Join-Path $Root 'Cargo.toml')), '(?ms)^\[package\].*?^version\s*=\s*"([^"]+)"').Groups[1].Value
    $target = if ($env:CARGO_TARGET_DIR) { [System.IO.Path]::GetFullPath($env:CARGO_TARGET_DIR, $Root) } else { Join-Path $Root 'target' }
    $script:Built = Join-Path $target 'package' "GitlabCli.$Version.nupkg"

    function Invoke-Child {
        # Runs a script in a new pwsh with HOME (and nothing else of the user's module paths or
        # GitLab settings) pointed at $HomePath; returns its output lines and exit code. With
        # -ReadOnly, that folder is mounted read-only for the child alone (a mount namespace of
        # its own), as an installation the user does not own is.
        param([string] $HomePath, [string] $Script, [hashtable] $Environment = @{}, [string] $ReadOnly)
        if ($ReadOnly) {
            $info = [System.Diagnostics.ProcessStartInfo]::new('unshare')
            foreach ($argument in '-m', 'sh', '-c', 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"', 'sh', $ReadOnly, $Pwsh) {
                $info.ArgumentList.Add($argument)
            }
        } else {
            $info = [System.Diagnostics.ProcessStartInfo]::new($Pwsh)
        }
        foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $Script) { $info.ArgumentList.Add($argument) }
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        foreach ($name in 'PSModulePath', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'XDG_CACHE_HOME', 'GITLAB_URL', 'GITLAB_ACCESS_TOKEN',
            'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy') {
            [void] $info.Environment.Remove($name)
        }
        $info.Environment['HOME'] = $HomePath
        foreach ($name in $Environment.Keys) { $info.Environment[$name] = $Environment[$name] }
        $process = [System.Diagnostics.Process]::Start($info)
        $errors = $process.StandardError.ReadToEndAsync()
        $out = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        [pscustomobject]@{ Lines = @($out -split "`r?`n" | Where-Object { $_ }); Errors = $errors.Result; ExitCode = $process.ExitCode }
    }

    function Get-Said([object] $Run, [string] $Key) {
        # The value of a KEY=value line a child printed.
        $line = @($Run.Lines | Where-Object { $_.StartsWith("$Key=") }) | Select-Object -First 1
        if ($null -eq $line) { throw "The child said no $Key. Output: $($Run.Lines -join ' | ') Errors: $($Run.Errors)" }
        $line.Substring($Key.Length + 1)
    }

    function Get-FailedCreateScript([string] $Name) {
        # A child script that imports the installed module, tries to create token $Name and
        # prints how it failed (ID=none when it did not).
        @"
Import-Module GitlabCli -ErrorAction Stop
try {
    New-GitlabPersonalAccessToken -Name '$Name' -Scope api -ErrorAction Stop
    'ID=none'
} catch {
    'ID=' + `$_.FullyQualifiedErrorId
    'CATEGORY=' + `$_.CategoryInfo.Category
    'MESSAGE=' + `$_.Exception.Message
    'FIX=' + `$_.ErrorDetails.RecommendedAction
}
"@
    }

    function New-Build([string[]] $Arguments) {
        # ./build.ps1 -Package in a child, as a release job runs it. (The build replaces a staged
        # file only when its bytes change, so the module this process has loaded stays intact.)
        $output = & $Pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'build.ps1') -Package @Arguments 2>&1 | Out-String
        if ($LASTEXITCODE -ne 0) { throw "build.ps1 -Package failed:`n$output" }
    }

    function Read-Nuspec([string] $Path) {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try {
            $entry = $zip.Entries | Where-Object FullName -EQ 'GitlabCli.nuspec'
            $reader = [System.IO.StreamReader]::new($entry.Open())
            try { [xml] $reader.ReadToEnd() } finally { $reader.Dispose() }
        } finally {
            $zip.Dispose()
        }
    }

    function Get-NupkgEntry([string] $Path) {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($Path)
        try { @($zip.Entries | ForEach-Object FullName) } finally { $zip.Dispose() }
    }

    function Install-Package([string] $Nupkg, [string] $HomePath) {
        # A file repository holding just this package, and Install-PSResource from it.
        $repository = Join-Path $HomePath 'repository'
        New-Item -ItemType Directory -Force -Path $repository | Out-Null
        # A file repository finds a package by its file name, <id>.<version>.nupkg.
        Copy-Item -LiteralPath $Nupkg -Destination (Join-Path $repository "GitlabCli.$Version.nupkg")
        $run = Invoke-Child -HomePath $HomePath -Script @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name GitlabCliTest -Uri '$repository' -Trusted
Install-PSResource -Name GitlabCli -Repository GitlabCliTest -Scope CurrentUser -TrustRepository -Quiet
'LOCATION=' + (Get-InstalledPSResource -Name GitlabCli).InstalledLocation
"@
        $run.ExitCode | Should -Be 0 -Because "$($run.Lines -join ' | ') $($run.Errors)"
        Join-Path (Get-Said $run 'LOCATION') 'GitlabCli' $Version
    }

    $script:Fake = Start-FakeGitlab
    New-Build @()
    $script:ThisMachine = Join-Path $TestDrive 'GitlabCli.this-machine.nupkg'
    Copy-Item -LiteralPath $Built -Destination $ThisMachine
}

AfterAll {
    if ($script:Fake) { Stop-FakeGitlab $script:Fake }
}

Describe 'The package (./build.ps1 -Package)' -Skip:(-not $CanPackage) {
    It 'carries the manifest, the assembly, help, format file, schema, license and this machine''s engine' {
        $entries = Get-NupkgEntry $ThisMachine
        $rid = [GitlabCli.Engine]::RuntimeId
        foreach ($expected in 'GitlabCli.psd1', 'GitlabCli.dll', 'GitlabCli.Format.ps1xml', 'GitlabCli.Protocol.schema.json',
            'LICENSE', 'en-US/GitlabCli.dll-Help.xml', 'en-US/about_GitlabCli.help.txt', "bin/$rid/gitlabcli") {
            $entries | Should -Contain $expected
        }
        @($entries | Where-Object { $_ -like 'bin/*' }) | Should -Be @("bin/$rid/gitlabcli")
    }

    It 'says what a gallery shows: the version from Cargo.toml, the license, release notes, and only the platform shipped' {
        $nuspec = Read-Nuspec $ThisMachine
        $metadata = $nuspec.package.metadata
        $metadata.id | Should -Be 'GitlabCli'
        $metadata.version | Should -Be $Version
        $metadata.licenseUrl | Should -Be 'https://opensource.org/licenses/MIT'
        $metadata.releaseNotes | Should -BeLike '*personal access tokens*'
        $tags = @($metadata.tags -split '\s+')
        $tags | Should -Contain 'Linux'
        $tags | Should -Not -Contain 'MacOS'
        $tags | Should -Not -Contain 'Windows'
    }

    It 'keeps the source manifest''s ModuleVersion equal to Cargo.toml''s version (the build writes it)' {
        (Import-PowerShellDataFile (Join-Path $Root 'module' 'GitlabCli' 'GitlabCli.psd1')).ModuleVersion | Should -Be $Version
    }
}

Describe 'Installed with Install-PSResource into a fresh HOME' -Skip:(-not $CanPackage) {
    BeforeAll {
        $script:HomePath = Join-Path $TestDrive 'home'
        New-Item -ItemType Directory -Force -Path $HomePath | Out-Null
        $script:Installed = Install-Package -Nupkg $ThisMachine -HomePath $HomePath
        $script:Engine = Join-Path $Installed 'bin' ([GitlabCli.Engine]::RuntimeId) 'gitlabcli'
    }

    It 'lands in the user''s module path' {
        $Installed | Should -BeLike "$HomePath*"
        Test-Path -LiteralPath (Join-Path $Installed 'GitlabCli.psd1') | Should -BeTrue
        Test-Path -LiteralPath $Engine | Should -BeTrue
    }

    It 'imports by name, restores the engine''s execute bit, creates a token and shows its help' -Skip:$IsWindows {
        # NuGet packages carry no file modes; make sure this copy lacks the bit whatever the installer did.
        chmod 644 $Engine
        ((Get-Item -LiteralPath $Engine).UnixFileMode -band [System.IO.UnixFileMode]::UserExecute) | Should -Be 0
        $run = Invoke-Child -HomePath $HomePath -Environment @{ GITLAB_URL = $Fake.Url; GITLAB_ACCESS_TOKEN = $Fake.AdminToken } -Script @'
$ErrorActionPreference = 'Stop'
Import-Module GitlabCli
$module = Get-Module GitlabCli
'BASE=' + $module.ModuleBase
'VERSION=' + $module.Version
$token = New-GitlabPersonalAccessToken -Name 'from-the-package' -Scope api
'TOKEN_ID=' + $token.Id
'SYNOPSIS=' + (Get-Help New-GitlabPersonalAccessToken).Synopsis
'EXAMPLES=' + @((Get-Help New-GitlabPersonalAccessToken -Examples).examples.example).Count
'ABOUT=' + ((Get-Help about_GitlabCli | Out-String) -match 'GitlabCli')
'@
        $run.ExitCode | Should -Be 0 -Because "$($run.Lines -join ' | ') $($run.Errors)"
        Get-Said $run 'BASE' | Should -Be $Installed
        Get-Said $run 'VERSION' | Should -Be $Version
        $id = [long] (Get-Said $run 'TOKEN_ID')
        @(Get-FakeToken $Fake | Where-Object { $_.id -eq $id -and $_.name -eq 'from-the-package' }).Count | Should -Be 1
        Get-Said $run 'SYNOPSIS' | Should -BeLike '*personal access token*'
        [int] (Get-Said $run 'EXAMPLES') | Should -BeGreaterOrEqual 3
        Get-Said $run 'ABOUT' | Should -Be 'True'
        ((Get-Item -LiteralPath $Engine).UnixFileMode -band [System.IO.UnixFileMode]::UserExecute) | Should -Not -Be 0
    }

    It 'says which command fixes an engine it may not make executable (an installation owned by someone else)' -Skip:$IsWindows {
        # Root may chmod anything, so "not the owner" is a read-only mount of the installation.
        $probe = & unshare -m sh -c 'mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp && echo ok' 2>$null
        if ($probe -ne 'ok') { Set-ItResult -Skipped -Because 'this machine allows no private read-only mount (unshare -m)'; return }
        chmod 644 $Engine
        $run = Invoke-Child -HomePath $HomePath -ReadOnly $Installed -Environment @{ GITLAB_URL = $Fake.Url; GITLAB_ACCESS_TOKEN = $Fake.AdminToken } -Script (Get-FailedCreateScript 'never-read-only')
        $run.ExitCode | Should -Be 0 -Because "$($run.Lines -join ' | ') $($run.Errors)"
        Get-Said $run 'ID' | Should -BeLike 'GitlabCli.EngineNotExecutable,*'
        Get-Said $run 'CATEGORY' | Should -Be 'PermissionDenied'
        Get-Said $run 'FIX' | Should -Be "Run once, as the owner of the installation: sudo chmod 755 '$Engine'"
        @(Get-FakeToken $Fake | Where-Object name -EQ 'never-read-only').Count | Should -Be 0
        chmod 755 $Engine
    }

    It 'uninstalls with Uninstall-PSResource' {
        $run = Invoke-Child -HomePath $HomePath -Script @'
$ErrorActionPreference = 'Stop'
Uninstall-PSResource -Name GitlabCli -Scope CurrentUser
'LEFT=' + @(Get-InstalledPSResource -Name GitlabCli -ErrorAction SilentlyContinue).Count
'@
        $run.ExitCode | Should -Be 0 -Because "$($run.Lines -join ' | ') $($run.Errors)"
        Get-Said $run 'LEFT' | Should -Be '0'
        Test-Path -LiteralPath $Installed | Should -BeFalse
    }
}

Describe 'A package without an engine for this machine' -Skip:(-not $CanPackage) {
    BeforeAll {
        # A release job's engine folder holding only another runtime's engine.
        $engines = Join-Path $TestDrive 'engines'
        $other = if ([GitlabCli.Engine]::RuntimeId -eq 'osx-arm64') { 'linux-x64' } else { 'osx-arm64' }
        New-Item -ItemType Directory -Force -Path (Join-Path $engines $other) | Out-Null
        Set-Content -LiteralPath (Join-Path $engines $other 'gitlabcli') -Value 'not this machine''s engine'
        New-Build @('-EngineDirectory', $engines)
        $script:Other = $other
        $script:Foreign = Join-Path $TestDrive 'GitlabCli.foreign.nupkg'
        Copy-Item -LiteralPath $Built -Destination $Foreign
        $script:ForeignHome = Join-Path $TestDrive 'foreign-home'
        New-Item -ItemType Directory -Force -Path $ForeignHome | Out-Null
        Install-Package -Nupkg $Foreign -HomePath $ForeignHome | Out-Null
    }

    It 'is tagged with that engine''s platform only' {
        $tags = @((Read-Nuspec $Foreign).package.metadata.tags -split '\s+')
        $tags | Should -Contain $(if ($Other -like 'osx-*') { 'MacOS' } else { 'Linux' })
        @(Get-NupkgEntry $Foreign | Where-Object { $_ -like 'bin/*' }) | Should -Be @("bin/$Other/gitlabcli")
    }

    It 'imports, and its cmdlets fail with GitlabCli.EngineNotFound naming this machine''s runtime and what the package holds' {
        $run = Invoke-Child -HomePath $ForeignHome -Environment @{ GITLAB_URL = $Fake.Url; GITLAB_ACCESS_TOKEN = $Fake.AdminToken } -Script (Get-FailedCreateScript 'never')
        $run.ExitCode | Should -Be 0 -Because "$($run.Lines -join ' | ') $($run.Errors)"
        Get-Said $run 'ID' | Should -BeLike 'GitlabCli.EngineNotFound,*'
        $message = Get-Said $run 'MESSAGE'
        $message | Should -BeLike "*no engine for $([GitlabCli.Engine]::RuntimeId)*"
        $message | Should -BeLike "*holds engines for $Other only*"
        Get-Said $run 'FIX' | Should -BeLike "*package built for $([GitlabCli.Engine]::RuntimeId)*"
        @(Get-FakeToken $Fake | Where-Object name -EQ 'never').Count | Should -Be 0
    }
}
