# The help pages (docs/help/<Cmdlet>.md, the source of the module's help) against the commands they
# document, the MAML the build makes from them (module/GitlabCli/en-US/GitlabCli.dll-Help.xml),
# and Get-Help reading that MAML. The converter's own tests are in HelpConverter.Tests.ps1.
#
# The metadata tests read Get-Command, so they hold for today's script functions and for the
# binary module's cmdlets alike. A script function reads external MAML only through a
# .ExternalHelp comment, so Get-Help is tested on the MAML through a fixture module that declares
# the functions that way, and, once the commands are cmdlets, on the module itself.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    $script:Commands = @(foreach ($command in @((Get-Module GitlabCli).ExportedCommands.Values | Where-Object CommandType -In 'Function', 'Cmdlet' | Sort-Object Name)) {
            @{
                CommandName = $command.Name
                Parameters  = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object | ForEach-Object { @{ CommandName = $command.Name; ParameterName = $_ } })
            }
        })
    # Until the binary module lands the commands are script functions, which read comment-based help.
    $cmdlets = @($Commands | Where-Object { (Get-Command $_.CommandName -Module GitlabCli).CommandType -ne 'Cmdlet' }).Count -eq 0
    # Get-Help is read from the built MAML through a fixture, and from the module itself once its
    # commands are cmdlets (the binary module).
    $script:HelpSources = @(
        @{ Source = 'the built MAML, through a script fixture that declares .ExternalHelp'; Fixture = $true; Module = 'GitlabCliHelpFixture'; Skip = $false }
        @{ Source = "the module's own cmdlets$(if (-not $cmdlets) { ' (skipped while the commands are script functions, which read comment-based help)' })"; Fixture = $false; Module = 'GitlabCli'; Skip = -not $cmdlets }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    Import-Module (Join-Path (Get-RepoRoot) 'module' 'help' 'MarkdownHelp.psm1') -Force
    $script:HelpDir = Join-Path (Get-RepoRoot) 'docs' 'help'
    $script:BuiltMaml = Join-Path (Get-RepoRoot) 'module' 'GitlabCli' 'en-US' 'GitlabCli.dll-Help.xml'
    $script:Common = [System.Management.Automation.PSCmdlet]::CommonParameters
    $script:Pages = @{}
    # (No $page here: a variable of this block would hide the $script:Page of the blocks below.)
    foreach ($path in Get-HelpPagePath $HelpDir) {
        $read = Read-HelpPage -Path $path
        $Pages[$read.Title] = $read
    }

    function Get-SetName([string] $Name) {
        if ($Name -eq '__AllParameterSets') { '(All)' } else { $Name }
    }

    function Get-CommandFact($Parameter) {
        # What the page must say about one parameter, from the command's own metadata.
        $attributes = @($Parameter.Attributes)
        $validateSet = @($attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] })
        $accepted = @()
        foreach ($set in $validateSet) {
            # A set generated at run time (from the engine) is not a fixed list a page can state.
            $generator = $set.GetType().GetField('validValuesGenerator', [System.Reflection.BindingFlags] 'NonPublic, Instance')
            if ($null -eq $generator -or $null -eq $generator.GetValue($set)) { $accepted += @($set.ValidValues) }
        }
        $declared = @($attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
        [ordered]@{
            Type              = $Parameter.ParameterType.FullName
            Aliases           = (@($Parameter.Aliases | Sort-Object) -join ', ')
            SupportsWildcards = [string] (@($attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0)
            DontShow          = [string] (@($declared | Where-Object DontShow).Count -gt 0)
            HelpMessage       = (@($declared | ForEach-Object HelpMessage | Where-Object { $_ }) -join ' ')
            AcceptedValues    = ($accepted -join ', ')
            ParameterSets     = (@(foreach ($name in $Parameter.ParameterSets.Keys) {
                        $set = $Parameter.ParameterSets[$name]
                        $position = if ($set.Position -lt 0) { 'Named' } else { [string] $set.Position }
                        "$(Get-SetName $name) Position=$position IsRequired=$($set.IsMandatory) ValueFromPipeline=$($set.ValueFromPipeline) ValueFromPipelineByPropertyName=$($set.ValueFromPipelineByPropertyName) ValueFromRemainingArguments=$($set.ValueFromRemainingArguments)"
                    }) | Sort-Object) -join "`n"
        }
    }

    function Get-PageFact($Entry) {
        # The same facts as the page's YAML block states them.
        $meta = $Entry.Metadata
        [ordered]@{
            Type              = [string] $meta['Type']
            Aliases           = (@($meta['Aliases'] | Sort-Object) -join ', ')
            SupportsWildcards = [string] ([string] $meta['SupportsWildcards'] -eq 'true')
            DontShow          = [string] ([string] $meta['DontShow'] -eq 'true')
            HelpMessage       = [string] $meta['HelpMessage']
            AcceptedValues    = (@($meta['AcceptedValues']) -join ', ')
            ParameterSets     = (@(foreach ($set in @($meta['ParameterSets'])) {
                        "$($set['Name']) Position=$($set['Position']) IsRequired=$([string] $set['IsRequired'] -eq 'true') ValueFromPipeline=$([string] $set['ValueFromPipeline'] -eq 'true') ValueFromPipelineByPropertyName=$([string] $set['ValueFromPipelineByPropertyName'] -eq 'true') ValueFromRemainingArguments=$([string] $set['ValueFromRemainingArguments'] -eq 'true')"
                    }) | Sort-Object) -join "`n"
        }
    }

    function Format-Fact($Fact) {
        ($Fact.Keys | ForEach-Object { "${_}: $($Fact[$_])" }) -join "`n"
    }

    function Compress-Space([string] $Text) {
        ($Text -replace '\s+', ' ').Trim()
    }

    # --- Get-Help against a page: shared by the fixture and the real module ---------------------

    function Assert-HelpShowsPage([string] $Name) {
        $page = $Pages[$Name]
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Be (($page.Synopsis -join ' ').Trim())
        @($help.Description | ForEach-Object { $_.Text.Trim() }) | Should -Be $page.Description
        $full = Compress-Space ($help | Out-String -Width 4096)
        $paragraphs = @($page.Notes) + @($page.Examples | ForEach-Object { $_.Remarks; $_.Code; $_.Title }) +
            @($page.Inputs + $page.Outputs | ForEach-Object { $_.Type; $_.Description }) +
            @($page.RelatedLinks | ForEach-Object Text)
        foreach ($paragraph in $paragraphs) {
            $full | Should -BeLike "*$([WildcardPattern]::Escape((Compress-Space $paragraph)))*" -Because "Get-Help $Name -Full must show the page's '$paragraph'"
        }
        foreach ($entry in $page.Parameters) {
            $full | Should -BeLike "*-$($entry.Name)*"
        }
        $online = @($help.relatedLinks.navigationLink)[0]
        $online.uri | Should -Be $page.FrontMatter['HelpUri']
    }

    function Assert-ExamplesShowPage([string] $Name) {
        $page = $Pages[$Name]
        $help = Get-Help $Name -Examples
        @($help.Examples.Example).Count | Should -Be $page.Examples.Count
        for ($i = 0; $i -lt $page.Examples.Count; $i++) {
            $example = @($help.Examples.Example)[$i]
            $example.Code | Should -Be $page.Examples[$i].Code
            @($example.Remarks | ForEach-Object { $_.Text.Trim() } | Where-Object { $_ }) | Should -Be $page.Examples[$i].Remarks
            $example.Title | Should -BeLike "*$([WildcardPattern]::Escape($page.Examples[$i].Title))*"
        }
        $text = Compress-Space ($help | Out-String -Width 4096)
        foreach ($example in $page.Examples) {
            $text | Should -BeLike "*$([WildcardPattern]::Escape((Compress-Space $example.Code)))*"
        }
    }

    function Assert-ParameterHelpShowsPage([string] $Name) {
        $page = $Pages[$Name]
        foreach ($entry in $page.Parameters) {
            $sets = @($entry.Metadata['ParameterSets'])
            $help = Get-Help $Name -Parameter $entry.Name
            @($help.Description | ForEach-Object { $_.Text.Trim() }) | Should -Be $entry.Description -Because "Get-Help $Name -Parameter $($entry.Name) shows the page's text"
            $help.required | Should -Be $(if (@($sets | Where-Object { $_['IsRequired'] -eq 'true' }).Count) { 'true' } else { 'false' })
            $help.position | Should -Be $(if ($sets[0]['Position'] -eq 'Named') { 'named' } else { $sets[0]['Position'] })
            $byValue = @($sets | Where-Object { $_['ValueFromPipeline'] -eq 'true' }).Count -gt 0
            $byName = @($sets | Where-Object { $_['ValueFromPipelineByPropertyName'] -eq 'true' }).Count -gt 0
            $help.pipelineInput | Should -Be $(if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' })
            $aliases = @($entry.Metadata['Aliases'])
            $help.aliases | Should -Be $(if ($aliases.Count) { $aliases -join ', ' } else { 'none' })
            $help.type.name | Should -Be $entry.Metadata['Type']
        }
    }
}

Describe 'The help pages and the commands' {
    It 'has a page for every exported command, and a command for every page' {
        $exported = @((Get-Module GitlabCli).ExportedCommands.Values | Where-Object CommandType -In 'Function', 'Cmdlet' | ForEach-Object Name | Sort-Object)
        @($Pages.Keys | Sort-Object) | Should -Be $exported
    }
}

Describe '<CommandName>: its page' -ForEach $Commands {
    BeforeAll {
        $script:Page = $Pages[$CommandName]
        $script:Command = Get-Command $CommandName -Module GitlabCli
    }

    It 'exists and passes the checker (synopsis, description, examples, every parameter''s text)' {
        $Page | Should -Not -BeNullOrEmpty -Because "docs/help/$CommandName.md documents it"
        Test-HelpPage -Page $Page | Should -BeNullOrEmpty
    }

    It 'names the help file and module the binary module reads' {
        $Page.FrontMatter['external help file'] | Should -Be 'GitlabCli.dll-Help.xml'
        $Page.FrontMatter['Module Name'] | Should -Be 'GitlabCli'
        $Page.FrontMatter['title'] | Should -Be $CommandName
    }

    It 'documents -<ParameterName> as the command declares it' -ForEach $Parameters {
        $entry = @($Page.Parameters | Where-Object Name -CEQ $ParameterName)
        $entry | Should -HaveCount 1 -Because "-$ParameterName is a parameter of $CommandName"
        Format-Fact (Get-PageFact $entry[0]) | Should -Be (Format-Fact (Get-CommandFact $Command.Parameters[$ParameterName]))
    }

    It 'documents no parameter the command lacks' {
        foreach ($entry in $Page.Parameters) {
            $Command.Parameters.Keys | Should -Contain $entry.Name
            $entry.Name | Should -Not -BeIn $Common
        }
    }

    It 'shows every parameter set in SYNTAX as Get-Command -Syntax does' {
        $expected = @($Command.ParameterSets | ForEach-Object {
                $title = if ($_.Name -eq '__AllParameterSets') { $_.Name } elseif ($_.IsDefault) { "$($_.Name) (Default)" } else { $_.Name }
                "$title`: $CommandName $_"
            } | Sort-Object)
        $actual = @($Page.Syntax | ForEach-Object {
                $title = if ($_.IsDefault) { "$($_.Name) (Default)" } else { $_.Name }
                "$title`: $(Compress-Space $_.Text)"
            } | Sort-Object)
        $actual | Should -Be $expected
    }

    It 'names the command''s aliases under ALIASES, and no other' {
        $aliases = @(Get-Alias -Definition $CommandName -ErrorAction SilentlyContinue | Where-Object ModuleName -EQ 'GitlabCli' | ForEach-Object Name | Sort-Object)
        $named = @([regex]::Matches(($Page.Aliases -join ' '), '\b[A-Z][a-z]+-Gitlab\w+') | ForEach-Object Value | Where-Object { $_ -ne $CommandName } | Sort-Object -Unique)
        $named | Should -Be $aliases
        if ($aliases.Count -eq 0) { ($Page.Aliases -join ' ') | Should -Match 'no aliases' }
    }

    It 'names the command''s output types under OUTPUTS' {
        @($Page.Outputs | ForEach-Object Type | Sort-Object) | Should -Be @($Command.OutputType | ForEach-Object Name | Sort-Object)
    }
}

Describe 'The checker on a real page with a piece missing' {
    BeforeAll {
        $script:Original = [System.IO.File]::ReadAllText((Join-Path $HelpDir 'New-GitlabPersonalAccessToken.md')) -replace "`r`n", "`n"
        $script:Broken = Join-Path $TestDrive 'broken'
        New-Item -ItemType Directory -Force -Path $Broken | Out-Null
    }

    It 'fails it when <Problem>' -ForEach @(
        @{ Problem = 'the synopsis is gone'; Pattern = '(?s)(## SYNOPSIS\n\n).*?\n\n(## SYNTAX)'; Replace = '$1$2'; Expect = '*SYNOPSIS is empty*' }
        @{ Problem = 'the description is gone'; Pattern = '(?s)(## DESCRIPTION\n\n).*?\n\n(## EXAMPLES)'; Replace = '$1$2'; Expect = '*DESCRIPTION is empty*' }
        @{ Problem = 'the examples are gone'; Pattern = '(?s)(## EXAMPLES\n\n).*?\n\n(## PARAMETERS)'; Replace = '$1$2'; Expect = '*there is no example*' }
        @{ Problem = 'a parameter''s text is gone'; Pattern = '(?s)(### -Scope\n\n).*?\n\n(```yaml)'; Replace = '$1$2'; Expect = '*parameter -Scope has no text*' }
        @{ Problem = 'an example''s remarks are gone'; Pattern = '(?s)(New-GitlabPersonalAccessToken -UserId ''jsmith'' -Name ''Service Token'' -Scope ''api''\n```\n\n).*?\n\n(###)'; Replace = '$1$2'; Expect = "*example 'Example 3: Create a token for another user' does not say what it does*" }
    ) {
        $damaged = $Original -replace $Pattern, $Replace
        $damaged | Should -Not -Be $Original -Because 'the test must break the page'
        $path = Join-Path $Broken 'New-GitlabPersonalAccessToken.md'
        [System.IO.File]::WriteAllText($path, $damaged)
        (@(Test-HelpPage -Page (Read-HelpPage -Path $path)) -join "`n") | Should -BeLike $Expect
        { Export-MamlHelp -Path $Broken -Destination (Join-Path $TestDrive 'broken.xml') } | Should -Throw $Expect
    }
}

Describe 'The documented rules of issue 10' {
    It 'New''s -ExpiresAt names every text form the engine reads (src/dates.rs)' {
        # The forms are the code spans with a digit in dates.rs's module comment.
        $comment = @([System.IO.File]::ReadAllLines((Join-Path (Get-RepoRoot) 'src' 'dates.rs')) | Where-Object { $_.StartsWith('//!') }) -join "`n"
        $forms = @([regex]::Matches($comment, '`([^`]*\d[^`]*)`') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
        $forms.Count | Should -BeGreaterThan 10
        $text = (@($Pages['New-GitlabPersonalAccessToken'].Parameters | Where-Object Name -EQ 'ExpiresAt')[0].Description) -join ' '
        foreach ($form in $forms) {
            $text | Should -BeLike "*$([WildcardPattern]::Escape($form))*" -Because "dates.rs reads '$form'"
        }
    }

    It '<_> says a [datetime] is that date in every culture and text is read by the engine' -ForEach @(
        'New-GitlabPersonalAccessToken', 'Invoke-GitlabPersonalAccessTokenRotation'
    ) {
        $text = (@($Pages[$_].Parameters | Where-Object Name -EQ 'ExpiresAt')[0].Description) -join ' '
        $text | Should -Match '\[datetime\] or \[DateTimeOffset\].*exactly that calendar date, in every culture'
        $text | Should -Match 'Text is read by the engine'
        $text | Should -Match 'ISO'
        $text | Should -Match 'a warning names both'
    }

    It '<_> documents what happens to the tokens when the pipeline ends abnormally' -ForEach @(
        'New-GitlabPersonalAccessToken', 'Invoke-GitlabPersonalAccessTokenRotation'
    ) {
        $text = $Pages[$_].Description -join ' '
        $text | Should -Match 'terminating error'
        $text | Should -Match "exception carries every new token|exception carries every token"
        $text | Should -Match 'Ctrl\+C'
        $text | Should -Match 'Select-Object -First'
        $text | Should -Match 'a warning names'
    }
}

Describe 'The built MAML' {
    It 'is what the pages make now (./build.ps1 rebuilds it)' {
        Test-Path -LiteralPath $BuiltMaml | Should -BeTrue -Because './build.ps1 writes it'
        $fresh = Export-MamlHelp -Path $HelpDir -Destination (Join-Path $TestDrive 'fresh' 'GitlabCli.dll-Help.xml')
        [System.IO.File]::ReadAllText($BuiltMaml) | Should -BeExactly ([System.IO.File]::ReadAllText($fresh))
    }

    It 'has one command per page, and is MAML' {
        $xml = [xml] [System.IO.File]::ReadAllText($BuiltMaml)
        $xml.helpItems.schema | Should -Be 'maml'
        @($xml.helpItems.command | ForEach-Object { $_.details.name } | Sort-Object) | Should -Be @($Pages.Keys | Sort-Object)
    }
}

Describe 'The built about_GitlabCli topic' {
    It 'is what docs/help/about_GitlabCli.md makes now (./build.ps1 rebuilds it)' {
        $built = Join-Path (Split-Path $BuiltMaml) 'about_GitlabCli.help.txt'
        Test-Path -LiteralPath $built | Should -BeTrue -Because './build.ps1 writes it'
        [System.IO.File]::ReadAllText($built) | Should -BeExactly (ConvertTo-AboutText -Path (Join-Path $HelpDir 'about_GitlabCli.md'))
    }

    It 'is what Get-Help about_GitlabCli shows, with the module imported' {
        $text = Get-Help about_GitlabCli | Out-String
        $text | Should -BeLike '*TOPIC*about_GitlabCli*SHORT DESCRIPTION*'
        $text | Should -BeLike '*Tokens are never lost*'
    }
}

Describe 'Get-Help on <Source>' -ForEach $HelpSources {
    BeforeAll {
        if ($Fixture) {
            # The module's commands as functions that read GitlabCli.dll-Help.xml, as a cmdlet of
            # GitlabCli.dll does; the real module is set aside meanwhile (same command names).
            $folder = Join-Path $TestDrive 'GitlabCliHelpFixture'
            New-Item -ItemType Directory -Force -Path (Join-Path $folder 'en-US') | Out-Null
            Copy-Item -LiteralPath $BuiltMaml -Destination (Join-Path $folder 'en-US' 'GitlabCli.dll-Help.xml')
            $functions = foreach ($name in $Pages.Keys) { "function $name {`n    # .ExternalHelp GitlabCli.dll-Help.xml`n    [CmdletBinding()] param()`n}" }
            Set-Content -LiteralPath (Join-Path $folder 'GitlabCliHelpFixture.psm1') -Value ($functions -join "`n")
            Remove-Module GitlabCli -Force
            Import-Module (Join-Path $folder 'GitlabCliHelpFixture.psm1') -Force
        }
    }

    AfterAll {
        if ($Fixture) {
            Remove-Module GitlabCliHelpFixture -Force -ErrorAction SilentlyContinue
            Import-GitlabCliUnderTest
        }
    }

    Context '<CommandName>' -ForEach $Commands {
        It 'reads GitlabCli.dll-Help.xml, not generated help' -Skip:$Skip {
            $command = Get-Command $CommandName -Module $Module
            (Get-Help $CommandName).Synopsis | Should -Not -Match '\[<CommonParameters>\]'
            if (-not $Fixture) { $command.HelpFile | Split-Path -Leaf | Should -Be 'GitlabCli.dll-Help.xml' }
        }

        It 'Get-Help -Full shows the page' -Skip:$Skip {
            Assert-HelpShowsPage $CommandName
        }

        It 'Get-Help -Examples shows the page''s examples' -Skip:$Skip {
            Assert-ExamplesShowPage $CommandName
        }

        It 'Get-Help -Parameter shows each parameter''s text and metadata' -Skip:$Skip {
            Assert-ParameterHelpShowsPage $CommandName
        }
    }

    Context 'New-GitlabPersonalAccessToken, the spec''s page' {
        BeforeAll {
            if (-not $Skip) {
                $script:Help = Get-Help New-GitlabPersonalAccessToken -Full
                $script:Text = $Help | Out-String -Width 200
            }
        }

        It 'shows the spec example <_>' -Skip:$Skip -ForEach @(
            "New-GitlabPersonalAccessToken -Name 'CI Token' -Scope 'api' -ExpireInMonths 6"
            "New-GitlabPersonalAccessToken -Name 'Read Only' -Scope 'read_api', 'read_repository' -ExpiresAt '2025-12-31' -CopyToClipboard"
            "New-GitlabPersonalAccessToken -UserId 'jsmith' -Name 'Service Token' -Scope 'api'"
        ) {
            @($Help.Examples.Example.Code) | Should -Contain $_
        }

        It 'shows the parameter table as PowerShell formats it' -Skip:$Skip {
            $Text | Should -Match 'Required\?\s+true'
            $Text | Should -Match 'Accept pipeline input\?\s+True \(ByPropertyName\)'
            $Text | Should -Match 'Aliases\s+Username'
            $Text | Should -Match ([regex]::Escape('New-GitlabPersonalAccessToken [[-UserId] <string>] [-Name] <string> [-Scope] <string[]>'))
        }

        It 'names the output type and the piped input, and links the GitLab API documentation' -Skip:$Skip {
            ($Help.returnValues.returnValue.type.name -join ' ') | Should -Match 'Gitlab\.NewPersonalAccessToken'
            ($Help.inputTypes.inputType.type.name -join ' ') | Should -Not -BeNullOrEmpty
            @($Help.relatedLinks.navigationLink.uri) | Should -Contain 'https://docs.gitlab.com/ee/api/users.html#create-a-personal-access-token'
        }
    }
}
