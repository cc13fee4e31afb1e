# The site cmdlets of issue 11 against the fake GitLab, with a temporary HOME: Get-GitlabConfiguration,
# Get-DefaultGitlabSite, Add-GitlabSite (string, SecureString, PSCredential and the prompt without
# echo), Set-DefaultGitlabSite, Remove-GitlabSite, and Invoke-GitlabPersonalAccessTokenRotation
# -SaveToConfig. The config file's bytes are checked after each write; every stream, -WhatIf line,
# error and the engine's argv and environment are searched for the token.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null
    $script:EnvUrl = $env:GITLAB_URL
    $script:EnvToken = $env:GITLAB_ACCESS_TOKEN

    function script:Clear-SiteEnvironment {
        Remove-Item Env:\GITLAB_URL, Env:\GITLAB_ACCESS_TOKEN -ErrorAction SilentlyContinue
    }

    function script:Restore-SiteEnvironment {
        $env:GITLAB_URL = $EnvUrl
        $env:GITLAB_ACCESS_TOKEN = $EnvToken
    }

    function script:New-SeededToken([string] $Name = 'laptop') {
        # A token of jsmith's that the fake knows (so GET /personal_access_tokens/self answers it).
        [string] @(Invoke-Fake $Fake -Method POST -Path '/__fake/tokens' -Body @{ username = 'jsmith'; name = $Name; scopes = @('api') })[0].token
    }

    function script:Get-ConfigText {
        $path = Get-TestConfigPath
        if (Test-Path -LiteralPath $path) { [System.IO.File]::ReadAllText($path) }
    }

    function script:Set-ConfigText([string] $Text) {
        $path = Get-TestConfigPath
        New-Item -ItemType Directory -Force -Path (Split-Path $path) | Out-Null
        [System.IO.File]::WriteAllText($path, $Text)
        if (-not $IsWindows) { chmod 600 $path }
    }

    function script:Get-Mode([string] $Path) {
        (stat -c '%a' $Path).Trim()
    }

    function script:Invoke-Captured([scriptblock] $Script) {
        # Every stream of $Script as text (output formatted, errors with their details), for
        # searching a secret in.
        $all = & $Script *>&1
        $text = foreach ($item in @($all)) {
            if ($item -is [System.Management.Automation.ErrorRecord]) {
                $item.ToString(); $item.Exception.Message; $item.ErrorDetails.RecommendedAction
                ($item | Format-List * -Force | Out-String)
                ($item.TargetObject | Format-List * -Force | Out-String)
            } else {
                ($item | Format-List * -Force | Out-String)
            }
        }
        [pscustomobject]@{ Items = @($all); Text = ($text -join "`n") }
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'Add-GitlabSite' {
    BeforeAll { Clear-SiteEnvironment }
    AfterAll { Restore-SiteEnvironment }
    BeforeEach {
        Reset-Fake $Fake
        Remove-TestConfig
    }

    It 'checks the token with GitLab, saves it (0600, in a 0700 folder) and says whose it is' -Skip:$IsWindows {
        Remove-Item -LiteralPath (Split-Path (Get-TestConfigPath)) -Recurse -Force -ErrorAction SilentlyContinue
        $token = New-SeededToken
        Clear-FakeRequest $Fake
        $added = Add-GitlabSite -Url $Fake.Url -AccessToken $token -IsDefault
        $added.PSObject.TypeNames[0] | Should -Be 'Gitlab.AddedSite'
        $added.PSObject.TypeNames | Should -Contain 'Gitlab.Site'
        $added.Url | Should -Be $Fake.Url
        $added.Validated | Should -BeTrue
        $added.Replaced | Should -BeFalse
        $added.Username | Should -Be 'jsmith'
        $added.TokenName | Should -Be 'laptop'
        @($added.Scopes) | Should -Be @('api')
        $added.IsDefault | Should -BeTrue
        $added.Source | Should -Be 'ConfigFile'
        $added.ConfigPath | Should -Be (Get-TestConfigPath)
        $added.TokenPrefix | Should -BeLike 'glpat-*…'
        $token | Should -BeLike "$($added.TokenPrefix.TrimEnd('…'))*"
        $added.PSObject.Properties.Name | Should -Not -Contain 'AccessToken'
        ($added | Format-List * | Out-String) | Should -Not -BeLike "*$token*"
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: $($Fake.Url)`n  AccessToken: $token`n  IsDefault: true`n"
        Get-Mode (Get-TestConfigPath) | Should -Be '600'
        Get-Mode (Split-Path (Get-TestConfigPath)) | Should -Be '700'
        @(Get-FakeRequest $Fake | ForEach-Object { "$($_.method) $($_.path)" }) | Should -Be @('GET /api/v4/user', 'GET /api/v4/personal_access_tokens/self')
    }

    It 'takes the token as a SecureString on -AccessToken' {
        $token = New-SeededToken
        $secure = ConvertTo-SecureString $token -AsPlainText -Force
        $added = Add-GitlabSite $Fake.Url $secure
        $added.Username | Should -Be 'jsmith'
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: $($Fake.Url)`n  AccessToken: $token`n  IsDefault: false`n"
    }

    It 'takes the token as -Credential''s password' {
        $token = New-SeededToken
        $credential = [pscredential]::new('ignored', (ConvertTo-SecureString $token -AsPlainText -Force))
        $added = Add-GitlabSite -Url $Fake.Url -Credential $credential -IsDefault
        $added.Username | Should -Be 'jsmith'
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: $($Fake.Url)`n  AccessToken: $token`n  IsDefault: true`n"
    }

    It 'binds -ProxyUrl third by position and keeps it in the entry, masked in the output' {
        $added = Add-GitlabSite 'https://gitlab.example.com' 'glpat-PROXIEDPROXIEDPROX1' 'http://user:hunter2@127.0.0.1:3128' -SkipValidation
        $added.Validated | Should -BeFalse
        $added.ProxyUrl | Should -Not -BeLike '*hunter2*'
        $added.ProxyUrl | Should -BeLike '*127.0.0.1:3128*'
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: https://gitlab.example.com`n  AccessToken: glpat-PROXIEDPROXIEDPROX1`n  ProxyUrl: http://user:hunter2@127.0.0.1:3128`n  IsDefault: false`n"
        @(Get-FakeRequest $Fake) | Should -BeNullOrEmpty -Because '-SkipValidation asks GitLab nothing'
    }

    It 'prompts for the token without echo when none is given' {
        $token = New-SeededToken
        $run = Invoke-InScriptedHost -Script 'Add-GitlabSite -Url $Arguments.Url' -Arguments @{ Url = $Fake.Url } -SecureLines @($token)
        $run.Errors | Should -BeNullOrEmpty
        $run.Output[0].Username | Should -Be 'jsmith'
        $run.Lines | Should -Contain "Access token for $($Fake.Url): "
        ($run.Lines -join "`n") | Should -Not -BeLike "*$token*"
        Get-ConfigText | Should -BeLike "*AccessToken: $token*"
    }

    It 'refuses a blank typed token and saves nothing' {
        $run = Invoke-InScriptedHost -Script 'Add-GitlabSite -Url https://blank.example -SkipValidation' -SecureLines @('  ')
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument,*'
        $run.Errors[0].Exception.Message | Should -BeLike '*No access token was typed*'
        Get-ConfigText | Should -BeNullOrEmpty
    }

    It 'refuses, instead of hanging, when no token is given in pwsh -NonInteractive' {
        $script = "Import-Module '$(Get-ModuleManifestPath)'; Add-GitlabSite -Url https://nonint.example -SkipValidation -ErrorVariable e -ErrorAction SilentlyContinue; `$e[0].FullyQualifiedErrorId; `$e[0].Exception.Message"
        $start = [System.Diagnostics.ProcessStartInfo]::new((Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })))
        foreach ($argument in '-NoProfile', '-NonInteractive', '-Command', $script) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardInput = $true
        $start.UseShellExecute = $false
        $child = [System.Diagnostics.Process]::Start($start)
        $out = $child.StandardOutput.ReadToEndAsync()
        $child.WaitForExit(120000) | Should -BeTrue -Because 'it must not wait for an answer nobody can give'
        $lines = @($out.Result -split "`n" | ForEach-Object Trim | Where-Object { $_ })
        $lines[0] | Should -BeLike 'GitlabCli.InvalidArgument,*'
        $lines[1] | Should -BeLike '*-AccessToken*'
        Get-ConfigText | Should -BeNullOrEmpty
    }

    It 'refuses a token GitLab refuses and saves nothing, never naming the token' {
        $bad = 'glpat-NOTATOKENNOTATOKEN00'
        $run = Invoke-Captured { Add-GitlabSite -Url $Fake.Url -AccessToken $bad -ErrorAction Continue }
        $errors = @($run.Items | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.Unauthorized,GitlabCli.AddGitlabSiteCommand'
        $errors[0].Exception.Message | Should -BeLike '*not saved*'
        $run.Text | Should -Not -BeLike "*$bad*"
        Get-ConfigText | Should -BeNullOrEmpty
    }

    It 'never shows the token in -Verbose, -Debug, output or errors, nor to the engine''s argv and environment' -Skip:$IsWindows {
        $token = New-SeededToken
        $wrapper = Join-Path $TestDrive 'recording-engine'
        $seen = Join-Path $TestDrive 'seen'
        Set-Content -LiteralPath $wrapper -Value "#!/bin/sh`necho `"`$0 `$*`" >> '$seen'`nenv >> '$seen'`nexec '$(Get-EnginePath)' `"`$@`"" -Encoding utf8NoBOM
        chmod +x $wrapper
        Set-EngineOverride -Path $wrapper
        try {
            $run = Invoke-Captured { Add-GitlabSite -Url $Fake.Url -AccessToken $token -Verbose -Debug }
        } finally {
            Set-EngineOverride -Path $null
        }
        @($run.Items | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) | Should -Not -BeNullOrEmpty
        @($run.Items | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }) | Should -Not -BeNullOrEmpty
        $run.Text | Should -Not -BeLike "*$token*"
        (Get-Content -LiteralPath $seen -Raw) | Should -BeLike '*serve*'
        (Get-Content -LiteralPath $seen -Raw) | Should -Not -BeLike "*$token*"
        Get-ConfigText | Should -BeLike "*AccessToken: $token*"
    }

    It 'with -WhatIf says what it would do, without the token, and sends and writes nothing' {
        $token = New-SeededToken
        Clear-FakeRequest $Fake
        $run = Invoke-InScriptedHost -Script 'Add-GitlabSite -Url $Arguments.Url -AccessToken $Arguments.Token -WhatIf' -Arguments @{ Url = $Fake.Url; Token = $token }
        $run.Errors | Should -BeNullOrEmpty
        $whatIf = @($run.Lines | Where-Object { $_ -like 'What if:*' })
        $whatIf | Should -HaveCount 1
        $whatIf[0] | Should -BeLike "*Add GitLab site*$($Fake.Url)*"
        ($run.Lines -join "`n") | Should -Not -BeLike "*$token*"
        Get-ConfigText | Should -BeNullOrEmpty
        @(Get-FakeRequest $Fake) | Should -BeNullOrEmpty
    }

    It 'asks before replacing a configured URL: <Answer>' -ForEach @(
        @{ Answer = 'No keeps the old entry'; Choice = 1; Replaced = $false }
        @{ Answer = 'Yes replaces it'; Choice = 0; Replaced = $true }
    ) {
        $old = "Sites:`n- Url: https://gitlab.example.com`n  AccessToken: glpat-OLDOLDOLDOLDOLDOLDOL1`n  Mine: kept`n  IsDefault: true`n"
        Set-ConfigText $old
        $run = Invoke-InScriptedHost -Script 'Add-GitlabSite -Url gitlab.example.com -AccessToken glpat-NEWNEWNEWNEWNEWNEWNE1 -SkipValidation' -Answers @($Choice)
        $run.Errors | Should -BeNullOrEmpty
        $run.Prompts | Should -HaveCount 1
        $run.Prompts[0].Message | Should -BeLike '*https://gitlab.example.com is already configured*Replace its access token?*'
        if ($Replaced) {
            $run.Output[0].Replaced | Should -BeTrue
            Get-ConfigText | Should -BeExactly "Sites:`n- Url: https://gitlab.example.com`n  AccessToken: glpat-NEWNEWNEWNEWNEWNEWNE1`n  Mine: kept`n  IsDefault: true`n"
        } else {
            $run.Output | Should -BeNullOrEmpty
            Get-ConfigText | Should -BeExactly $old
        }
    }

    It 'replaces a configured URL without asking with -Force' {
        Set-ConfigText "Sites:`n- Url: https://gitlab.example.com`n  AccessToken: glpat-OLDOLDOLDOLDOLDOLDOL1`n  IsDefault: false`n"
        $run = Invoke-InScriptedHost -Script 'Add-GitlabSite -Url https://gitlab.example.com -AccessToken glpat-NEWNEWNEWNEWNEWNEWNE1 -SkipValidation -Force -IsDefault'
        $run.Errors | Should -BeNullOrEmpty
        $run.Prompts | Should -BeNullOrEmpty
        $run.Output[0].Replaced | Should -BeTrue
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: https://gitlab.example.com`n  AccessToken: glpat-NEWNEWNEWNEWNEWNEWNE1`n  IsDefault: true`n"
    }

    It 'refuses to replace in a session that cannot ask, naming -Force' {
        $old = "Sites:`n- Url: https://gitlab.example.com`n  AccessToken: glpat-OLDOLDOLDOLDOLDOLDOL1`n"
        Set-ConfigText $old
        # No answers queued: the scripted host cannot answer ShouldContinue.
        $run = Invoke-InScriptedHost -Script 'Add-GitlabSite -Url https://gitlab.example.com -AccessToken glpat-NEWNEWNEWNEWNEWNEWNE1 -SkipValidation'
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument,*'
        $run.Errors[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Force*'
        Get-ConfigText | Should -BeExactly $old
    }

    It 'keeps keys it does not know, at the top and on entries' {
        Set-ConfigText "Theme: dark`nSites:`n- Url: https://a.example`n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA`n  Mine: 1`n  IsDefault: true`n"
        Add-GitlabSite -Url https://b.example -AccessToken glpat-BBBBBBBBBBBBBBBBBBBB -SkipValidation -IsDefault | Out-Null
        Get-ConfigText | Should -BeExactly "Theme: dark`nSites:`n- Url: https://a.example`n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA`n  Mine: 1`n  IsDefault: false`n- Url: https://b.example`n  AccessToken: glpat-BBBBBBBBBBBBBBBBBBBB`n  IsDefault: true`n"
    }

    It 'refuses to write a file it cannot parse, and leaves it as it was' {
        $broken = "Sites:`n- Url: https://a.example`n  AccessToken: [unclosed`n"
        Set-ConfigText $broken
        { Add-GitlabSite -Url https://b.example -AccessToken glpat-BBBBBBBBBBBBBBBBBBBB -SkipValidation -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabCli.Config,GitlabCli.AddGitlabSiteCommand'
        Get-ConfigText | Should -BeExactly $broken
        { Get-GitlabConfiguration -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabCli.Config,GitlabCli.GetGitlabConfigurationCommand'
    }

    It 'refuses a blank -AccessToken before asking anything' {
        { Add-GitlabSite -Url https://b.example -AccessToken '' -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.AddGitlabSiteCommand'
        Get-ConfigText | Should -BeNullOrEmpty
    }
}

Describe 'Get-GitlabConfiguration and Get-DefaultGitlabSite' {
    BeforeAll {
        Clear-SiteEnvironment
        Set-ConfigText "Sites:`n- Url: https://a.example`n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA`n  IsDefault: false`n- Url: https://b.example`n  AccessToken: glpat-BBBBBBBBBBBBBBBBBBBB`n  ProxyUrl: http://user:hunter2@127.0.0.1:3128`n  IsDefault: true`n"
    }
    AfterAll {
        Restore-SiteEnvironment
        Remove-TestConfig
    }

    It 'lists every site as a Gitlab.Site with the token masked' {
        $sites = @(Get-GitlabConfiguration)
        $sites | Should -HaveCount 2
        $sites.Url | Should -Be @('https://a.example', 'https://b.example')
        $sites.IsDefault | Should -Be @($false, $true)
        $sites | ForEach-Object {
            $_.PSObject.TypeNames[0] | Should -Be 'Gitlab.Site'
            $_.Source | Should -Be 'ConfigFile'
            $_.HasToken | Should -BeTrue
            $_.ConfigPath | Should -Be (Get-TestConfigPath)
        }
        $sites[0].TokenPrefix | Should -Be 'glpat-AAA…'
        $sites[1].ProxyUrl | Should -BeLike 'http://*127.0.0.1:3128*'
        $text = ($sites | Format-List * | Out-String) + ($sites | ConvertTo-Json)
        $text | Should -Not -BeLike '*AAAAAAAAAAAAAAAAAAAA*'
        $text | Should -Not -BeLike '*hunter2*'
    }

    It 'has a table view: Url, IsDefault, Source, TokenPrefix, ProxyUrl' {
        $header = @((Get-GitlabConfiguration | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() })[0]
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('Url', 'IsDefault', 'Source', 'TokenPrefix', 'ProxyUrl')
    }

    It '-DefaultSite and Get-DefaultGitlabSite give the default site only' {
        (Get-GitlabConfiguration -DefaultSite).Url | Should -Be 'https://b.example'
        @(Get-DefaultGitlabSite).Url | Should -Be @('https://b.example')
    }

    It '-SiteUrl selects by -SiteUrl''s rules, and names an unknown site' {
        @(Get-GitlabConfiguration -SiteUrl a.example).Url | Should -Be @('https://a.example')
        { Get-GitlabConfiguration -SiteUrl https://c.example -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabCli.Config,GitlabCli.GetGitlabConfigurationCommand'
    }

    It 'lists the environment''s site, from the environment' {
        Restore-SiteEnvironment
        try {
            $sites = @(Get-GitlabConfiguration)
        } finally {
            Clear-SiteEnvironment
        }
        $sites[0].Url | Should -Be $Fake.Url
        $sites[0].Source | Should -Be 'Environment'
        $sites[0].IsDefault | Should -BeTrue
        $sites[0].ConfigPath | Should -BeNullOrEmpty
        ($sites | Format-List * | Out-String) | Should -Not -BeLike "*$($Fake.AdminToken)*"
    }

    It 'completes -Url of <_> from the configured sites' -ForEach @('Add-GitlabSite', 'Set-DefaultGitlabSite', 'Remove-GitlabSite') {
        $line = "$_ -Url b.ex"
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText) | Should -Be @('https://b.example')
    }
}

Describe 'Set-DefaultGitlabSite and Remove-GitlabSite' {
    BeforeAll { Clear-SiteEnvironment }
    AfterAll {
        Restore-SiteEnvironment
        Remove-TestConfig
    }
    BeforeEach {
        $script:Two = "Sites:`n- Url: https://a.example`n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA`n  IsDefault: true`n- Url: https://b.example`n  AccessToken: glpat-BBBBBBBBBBBBBBBBBBBB`n  Mine: 1`n"
        Set-ConfigText $Two
    }

    It 'Set-DefaultGitlabSite makes the site the only default' {
        Set-DefaultGitlabSite b.example | Should -BeNullOrEmpty
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: https://a.example`n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA`n  IsDefault: false`n- Url: https://b.example`n  AccessToken: glpat-BBBBBBBBBBBBBBBBBBBB`n  Mine: 1`n  IsDefault: true`n"
        Get-Mode (Get-TestConfigPath) | Should -Be '600'
    }

    It 'Set-DefaultGitlabSite -WhatIf changes nothing' {
        Set-DefaultGitlabSite -Url https://b.example -WhatIf
        Get-ConfigText | Should -BeExactly $Two
    }

    It 'Remove-GitlabSite asks first (ConfirmImpact High)' {
        $binding = [GitlabCli.RemoveGitlabSiteCommand].GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $binding.ConfirmImpact | Should -Be 'High'
        $run = Invoke-InScriptedHost -Script 'Remove-GitlabSite https://b.example' -Answers @(2)
        $run.Prompts | Should -HaveCount 1
        $run.Prompts[0].Message | Should -BeLike '*https://b.example*'
        Get-ConfigText | Should -BeExactly $Two
    }

    It 'Remove-GitlabSite removes the entry, also piped from Get-GitlabConfiguration' {
        Remove-GitlabSite -Url https://b.example -Confirm:$false | Should -BeNullOrEmpty
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: https://a.example`n  AccessToken: glpat-AAAAAAAAAAAAAAAAAAAA`n  IsDefault: true`n"
        Get-GitlabConfiguration -SiteUrl a.example | Remove-GitlabSite -Confirm:$false
        Get-ConfigText | Should -BeExactly "Sites: []`n"
    }

    It 'names a site the file does not have' {
        { Remove-GitlabSite -Url https://c.example -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabCli.Config,GitlabCli.RemoveGitlabSiteCommand'
        { Set-DefaultGitlabSite -Url https://c.example -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabCli.Config,GitlabCli.SetDefaultGitlabSiteCommand'
        Get-ConfigText | Should -BeExactly $Two
    }
}

Describe 'The environment''s site (GITLAB_ACCESS_TOKEN set)' {
    BeforeAll {
        Restore-SiteEnvironment
        Set-ConfigText "Sites:`n- Url: $($Fake.Url)`n  AccessToken: glpat-FILEFILEFILEFILEFILE`n- Url: https://b.example`n  AccessToken: glpat-BBBBBBBBBBBBBBBBBBBB`n"
        $script:Before = Get-ConfigText
    }
    AfterAll { Remove-TestConfig }

    It '<Command> of its URL is refused with GitlabCli.Config, naming the variable' -ForEach @(
        @{ Command = 'Add-GitlabSite'; Script = { Add-GitlabSite -Url $Fake.Url -AccessToken glpat-CCCCCCCCCCCCCCCCCCCC -Force -ErrorAction Stop } }
        @{ Command = 'Set-DefaultGitlabSite'; Script = { Set-DefaultGitlabSite -Url $Fake.Url -ErrorAction Stop } }
        @{ Command = 'Remove-GitlabSite'; Script = { Remove-GitlabSite -Url $Fake.Url -Confirm:$false -ErrorAction Stop } }
    ) {
        $thrown = $Script | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'GitlabCli.Config,*'
        $thrown.Exception.Message | Should -BeLike '*GITLAB_ACCESS_TOKEN is set*'
        Get-ConfigText | Should -BeExactly $Before
    }

    It 'a site only the file defines is still managed' {
        Set-DefaultGitlabSite -Url https://b.example -WarningVariable warned -WarningAction SilentlyContinue
        @($warned) -join ' ' | Should -BeLike '*GITLAB_ACCESS_TOKEN*'
        Get-ConfigText | Should -BeLike '*https://b.example*IsDefault: true*'
    }
}

Describe 'Invoke-GitlabPersonalAccessTokenRotation -Self -SaveToConfig' {
    BeforeEach {
        Clear-SiteEnvironment
        Reset-Fake $Fake
        $script:Old = New-SeededToken
        $script:Yaml = "Sites:`n- Url: $($Fake.Url)`n  AccessToken: $Old`n  IsDefault: true`n"
        Set-ConfigText $Yaml
    }
    AfterEach {
        Restore-SiteEnvironment
        Remove-TestConfig
    }

    It 'saves the new token in the file and outputs the token without its value' {
        $run = Invoke-Captured { Invoke-GitlabPersonalAccessTokenRotation -Self -SaveToConfig -Confirm:$false -Verbose }
        $token = @($run.Items | Where-Object { $_ -is [psobject] -and $_.PSObject.Properties['SavedToConfig'] })
        $token | Should -HaveCount 1
        $token[0].SavedToConfig | Should -BeTrue
        $token[0].PSObject.Properties.Name | Should -Not -Contain 'Token'
        $token[0].Name | Should -Be 'laptop'
        $new = @(Get-FakeToken $Fake | Where-Object { -not $_.revoked -and $_.name -eq 'laptop' })[0].token
        $new | Should -Not -BeNullOrEmpty
        Get-ConfigText | Should -BeExactly "Sites:`n- Url: $($Fake.Url)`n  AccessToken: $new`n  IsDefault: true`n"
        $run.Text | Should -Not -BeLike "*$new*"
        $run.Text | Should -Not -BeLike "*$Old*"
        # The saved token works: the next command reads it from the file.
        (Get-GitlabPersonalAccessToken -Self).Name | Should -Be 'laptop'
    }

    It 'is refused before sending when the site comes from the environment' {
        Restore-SiteEnvironment
        Clear-FakeRequest $Fake
        { Invoke-GitlabPersonalAccessTokenRotation -Self -SaveToConfig -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'GitlabCli.Config,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand'
        @(Get-FakeRequest $Fake) | Should -BeNullOrEmpty
        Get-ConfigText | Should -BeExactly $Yaml
    }

    It 'outputs the value with a warning when the save fails after GitLab rotated' {
        # A folder where the temporary file goes: the write fails even for root.
        $tmp = (Get-TestConfigPath) + '.tmp'
        New-Item -ItemType Directory -Path $tmp | Out-Null
        try {
            $token = Invoke-GitlabPersonalAccessTokenRotation -Self -SaveToConfig -Confirm:$false -WarningVariable warned -WarningAction SilentlyContinue
        } finally {
            Remove-Item -LiteralPath $tmp -Recurse -Force
        }
        $token.Token | Should -BeLike 'glpat-*'
        $token.Token | Should -Be (@(Get-FakeToken $Fake | Where-Object { -not $_.revoked -and $_.name -eq 'laptop' })[0].token)
        (@($warned) -join ' ') | Should -BeLike '*could not be saved*'
        (@($warned) -join ' ') | Should -Not -BeLike "*$($token.Token)*"
        Get-ConfigText | Should -BeExactly $Yaml
    }

    It 'is only in the -Self parameter set' {
        { Invoke-GitlabPersonalAccessTokenRotation -TokenId 1 -SaveToConfig -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand'
    }
}
