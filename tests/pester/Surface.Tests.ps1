# The documented surface of New-GitlabPersonalAccessToken, read back from the imported module,
# and the module's manifest. Nothing here talks to GitLab.

BeforeDiscovery {
    # The parameter table of the spec (../shared/spec/New-GitlabPersonalAccessToken.md).
    $script:ParameterTable = @(
        @{ Name = 'UserId'; Type = [string]; Position = 0; Mandatory = $false; ByPropertyName = $true; Aliases = @('Username') }
        @{ Name = 'Name'; Type = [string]; Position = 1; Mandatory = $true; ByPropertyName = $true; Aliases = @() }
        @{ Name = 'Scope'; Type = [string[]]; Position = 2; Mandatory = $true; ByPropertyName = $false; Aliases = @() }
        @{ Name = 'ExpiresAt'; Type = [string]; Position = 3; Mandatory = $false; ByPropertyName = $false; Aliases = @() }
        @{ Name = 'ExpireInMonths'; Type = [uint32]; Position = 4; Mandatory = $false; ByPropertyName = $false; Aliases = @() }
        @{ Name = 'SiteUrl'; Type = [string]; Position = 5; Mandatory = $false; ByPropertyName = $false; Aliases = @() }
        @{ Name = 'CopyToClipboard'; Type = [switch]; Position = [int]::MinValue; Mandatory = $false; ByPropertyName = $false; Aliases = @() }
        @{ Name = 'WhatIf'; Type = [switch]; Position = [int]::MinValue; Mandatory = $false; ByPropertyName = $false; Aliases = @('wi') }
        @{ Name = 'Confirm'; Type = [switch]; Position = [int]::MinValue; Mandatory = $false; ByPropertyName = $false; Aliases = @('cf') }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Command = Get-Command New-GitlabPersonalAccessToken -Module GitlabCli
    $script:Schema = Get-Content -Raw -LiteralPath (Join-Path (Get-RepoRoot) 'module' 'GitlabCli' 'GitlabCli.Protocol.schema.json') | ConvertFrom-Json -AsHashtable
    # The fourteen scopes the spec documents for -Scope.
    $script:SpecScopes = @('api', 'read_user', 'read_api', 'read_repository', 'write_repository', 'read_registry',
        'write_registry', 'sudo', 'admin_mode', 'create_runner', 'manage_runner', 'ai_features', 'k8s_proxy', 'read_service_ping')
}

Describe 'The module manifest' {
    BeforeAll {
        $script:Manifest = Test-ModuleManifest -Path (Get-ModuleManifestPath) -ErrorAction Stop
        $script:ManifestData = Import-PowerShellDataFile -LiteralPath (Get-ModuleManifestPath)
    }

    It 'exports exactly the token and site cmdlets, compiled, listed without wildcards' {
        $expected = @('Get-GitlabPersonalAccessToken', 'Invoke-GitlabPersonalAccessTokenRotation', 'New-GitlabPersonalAccessToken', 'Revoke-GitlabPersonalAccessToken'
            # Issue 11: site management.
            'Add-GitlabSite', 'Get-DefaultGitlabSite', 'Get-GitlabConfiguration', 'Remove-GitlabSite', 'Set-DefaultGitlabSite'
            # Issue 12: group and project access tokens.
            'Get-GitlabGroupAccessToken', 'New-GitlabGroupAccessToken', 'Invoke-GitlabGroupAccessTokenRotation', 'Remove-GitlabGroupAccessToken'
            'Get-GitlabProjectAccessToken', 'New-GitlabProjectAccessToken', 'Invoke-GitlabProjectAccessTokenRotation', 'Remove-GitlabProjectAccessToken') | Sort-Object
        @($ManifestData.CmdletsToExport | Sort-Object) | Should -Be $expected
        @($ManifestData.CmdletsToExport) -join '' | Should -Not -Match '[*?]'
        @((Get-Module GitlabCli).ExportedCmdlets.Keys | Sort-Object) | Should -Be $expected
        foreach ($name in $expected) {
            (Get-Command $name -Module GitlabCli).CommandType | Should -Be 'Cmdlet'
            (Get-Command $name -Module GitlabCli).ImplementingType.Assembly.GetName().Name | Should -Be 'GitlabCli'
        }
    }

    It 'exports the Rotate- and Remove- aliases explicitly, and no functions or variables' {
        $aliases = @('Remove-GitlabPersonalAccessToken', 'Rotate-GitlabPersonalAccessToken',
            'Rotate-GitlabGroupAccessToken', 'Revoke-GitlabGroupAccessToken', 'Rotate-GitlabProjectAccessToken', 'Revoke-GitlabProjectAccessToken') | Sort-Object
        @($ManifestData.AliasesToExport | Sort-Object) | Should -Be $aliases
        @((Get-Module GitlabCli).ExportedAliases.Keys | Sort-Object) | Should -Be $aliases
        (Get-Alias Rotate-GitlabPersonalAccessToken).Definition | Should -Be 'Invoke-GitlabPersonalAccessTokenRotation'
        (Get-Alias Remove-GitlabPersonalAccessToken).Definition | Should -Be 'Revoke-GitlabPersonalAccessToken'
        foreach ($key in 'FunctionsToExport', 'VariablesToExport') {
            $ManifestData.ContainsKey($key) | Should -BeTrue -Because "$key must be explicit"
            @($ManifestData[$key]).Count | Should -Be 0 -Because "$key must be empty"
        }
        @((Get-Module GitlabCli).ExportedVariables.Keys).Count | Should -Be 0
        @((Get-Module GitlabCli).ExportedFunctions.Keys).Count | Should -Be 0
    }

    It 'requires PowerShell 7.2 Core, version 0.1.0, loads GitlabCli.dll and the format file' {
        $Manifest.PowerShellVersion | Should -Be ([version] '7.2')
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
        $Manifest.Version | Should -Be ([version] '0.1.0')
        $Manifest.Guid | Should -Not -Be ([guid]::Empty)
        $ManifestData.RootModule | Should -Be 'GitlabCli.dll'
        (Get-Module GitlabCli).ModuleType | Should -Be 'Binary'
        $ManifestData.FormatsToProcess | Should -Be @('GitlabCli.Format.ps1xml')
        (Get-FormatData -TypeName 'Gitlab.NewPersonalAccessToken') | Should -Not -BeNullOrEmpty
        (Get-FormatData -TypeName 'Gitlab.PersonalAccessToken') | Should -Not -BeNullOrEmpty
        (Get-FormatData -TypeName 'Gitlab.NewAccessToken') | Should -Not -BeNullOrEmpty
        (Get-FormatData -TypeName 'Gitlab.AccessToken') | Should -Not -BeNullOrEmpty
    }
}

Describe 'New-GitlabPersonalAccessToken parameters' {
    It '<Name> is <Type>, position <Position>, mandatory <Mandatory>, by property name <ByPropertyName>' -ForEach $ParameterTable {
        $parameter = $Command.Parameters[$Name]
        $parameter | Should -Not -BeNullOrEmpty
        $parameter.ParameterType | Should -Be $Type
        @($parameter.ParameterSets.Keys) | Should -Be @('__AllParameterSets')
        $set = $parameter.ParameterSets['__AllParameterSets']
        $set.Position | Should -Be $Position
        $set.IsMandatory | Should -Be $Mandatory
        $set.ValueFromPipelineByPropertyName | Should -Be $ByPropertyName
        $set.ValueFromPipeline | Should -BeFalse
        $set.ValueFromRemainingArguments | Should -BeFalse
        @($parameter.Aliases) | Should -Be $Aliases
    }

    It 'has no other parameters than the spec and the common ones' {
        $own = @($Command.Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters })
        $own | Sort-Object | Should -Be (@($ParameterTable.Name) | Sort-Object)
    }

    It 'binds no parameter ByValue' {
        foreach ($parameter in $Command.Parameters.Values) {
            foreach ($set in $parameter.ParameterSets.Values) {
                $set.ValueFromPipeline | Should -BeFalse -Because "$($parameter.Name) must not bind ByValue"
            }
        }
    }

    It 'shows the syntax of the spec' {
        $expected = 'New-GitlabPersonalAccessToken [[-UserId] <string>] [-Name] <string> [-Scope] <string[]> [[-ExpiresAt] <string>] [[-ExpireInMonths] <uint>] [[-SiteUrl] <string>] [-CopyToClipboard] [-WhatIf] [-Confirm] [<CommonParameters>]'
        ((Get-Command New-GitlabPersonalAccessToken -Syntax) -replace '\s+', ' ').Trim() | Should -Be $expected
    }

    It 'declares OutputType Gitlab.NewPersonalAccessToken' {
        @($Command.OutputType.Name) | Should -Be @('Gitlab.NewPersonalAccessToken')
    }

    It 'supports ShouldProcess with the default (Medium) impact' {
        $binding = $Command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $binding.SupportsShouldProcess | Should -BeTrue
        $binding.ConfirmImpact | Should -Be ([System.Management.Automation.ConfirmImpact]::Medium)
    }
}

Describe '-Scope' {
    It 'declares no ValidateSet: the engine is the one judge of scopes' {
        $validate = $Command.Parameters['Scope'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $validate | Should -BeNullOrEmpty
    }

    It 'completes from the scopes the engine says hello with, which are the committed schema''s and include the spec''s fourteen' {
        $line = 'New-GitlabPersonalAccessToken -Name x -Scope '
        $completions = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText)
        $enum = [string[]] $Schema['scope']['enum']
        $completions | Should -Be $enum
        foreach ($scope in $SpecScopes) { $enum | Should -Contain $scope }
    }

    It 'tab-completes the scopes that start with what was typed' {
        $line = 'New-GitlabPersonalAccessToken -Name x -Scope read_'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $expected = @($Schema['scope']['enum'] | Where-Object { $_ -like 'read_*' })
        $completions | Sort-Object | Should -Be ($expected | Sort-Object)
    }

    It 'refuses an unknown scope with the engine''s own message, as GitlabCli.InvalidArgument, sending nothing' {
        $thrown = { New-GitlabPersonalAccessToken -Name 'x' -Scope 'api', 'root_access' -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $thrown.Exception.Parameter | Should -Be 'scopes'
        $thrown.Exception.Message | Should -BeLike "*'root_access'*"
        $thrown.Exception.Message | Should -Not -BeLike '*ValidateSet*'
    }
}

Describe 'The module in several runspaces' {
    It 'validates -Scope and reports errors in one runspace after another (no runspace affinity)' {
        foreach ($round in 1..3) {
            $run = Invoke-InScriptedHost -Script @'
                try { New-GitlabPersonalAccessToken -Name x -Scope nope -ErrorAction Stop } catch { $_.FullyQualifiedErrorId }
                [GitlabCli.GitlabCliException]::new('m', 'not-found').Kind
'@
            $run.Errors | Should -BeNullOrEmpty -Because "round $round"
            $run.Output | Should -Be @('GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand', 'not-found') -Because "round $round"
        }
    }
}

Describe 'The engine executable' {
    AfterEach { Set-EngineOverride -Path $null }

    It 'is looked up under bin/ in a folder named by OS and architecture' {
        $path = Get-EnginePath
        $rid = [GitlabCli.Engine]::RuntimeId
        $rid | Should -BeIn @('linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64')
        $exe = if ($IsWindows) { 'gitlabcli.exe' } else { 'gitlabcli' }
        $path | Should -Be (Join-Path (Get-RepoRoot) 'module' 'GitlabCli' 'bin' $rid $exe)
    }

    It 'when missing, is a terminating GitlabCli.EngineNotFound naming the path, with ./build.ps1 as the fix' {
        $missing = Join-Path $TestDrive 'bin' 'gitlabcli'
        Set-EngineOverride -Path $missing
        $thrown = { New-GitlabPersonalAccessToken -Name 'x' -Scope 'api' -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'GitlabCli.EngineNotFound,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $thrown.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $thrown.Exception.Message | Should -BeLike "*$missing*"
        $thrown.ErrorDetails.RecommendedAction | Should -BeLike '*./build.ps1*'
    }

    It 'exiting without an answer is a terminating GitlabCli.EngineFailed carrying its stderr' -Skip:$IsWindows {
        $script = Join-Path $TestDrive 'crashing-engine'
        Set-Content -LiteralPath $script -Value "#!/bin/sh`necho 'engine exploded on purpose' >&2`nexit 3"
        chmod +x $script
        Set-EngineOverride -Path $script
        $thrown = { New-GitlabPersonalAccessToken -Name 'x' -Scope 'api' -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'GitlabCli.EngineFailed,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*engine exploded on purpose*'
        $thrown.Exception.Message | Should -BeLike '*exit code 3*'
        # It names the record being checked, not a request number.
        $thrown.Exception.Message | Should -BeLike "*checking the token 'x'*"
        $thrown.Exception.Message | Should -Not -Match 'request \d'
        $thrown.Exception.Message | Should -Not -BeLike '*checking checking*'
    }

    It 'writing a line that is not JSON is a terminating GitlabCli.EngineFailed' -Skip:$IsWindows {
        $script = Join-Path $TestDrive 'garbling-engine'
        Set-Content -LiteralPath $script -Value "#!/bin/sh`nread line`necho 'this is not json'`nexec sleep 30"
        chmod +x $script
        Set-EngineOverride -Path $script
        $thrown = { New-GitlabPersonalAccessToken -Name 'x' -Scope 'api' } | Should -Throw -ErrorId 'GitlabCli.EngineFailed,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $thrown.Exception.Message | Should -BeLike '*not JSON*'
    }
}
