# Unit tests of the help build step (module/help/MarkdownHelp.psm1) on small pages written into
# TestDrive: front matter, code fences, parameter sets, aliases, escaping, the checker, and that
# PowerShell's help system reads the MAML it writes. Needs neither the module nor the engine.

BeforeAll {
    $script:Converter = Join-Path $PSScriptRoot '..' '..' 'module' 'help' 'MarkdownHelp.psm1'
    Import-Module $script:Converter -Force

    # A small page with everything the format has: two parameter sets, a parameter in both with
    # different metadata, aliases, accepted values, characters XML must escape.
    $script:Page = @'
---
document type: cmdlet
external help file: GitlabCli.dll-Help.xml
HelpUri: https://example.com/help/Get-Thing
Locale: en-US
Module Name: GitlabCli
ms.date: 12/01/2026
PlatyPS schema version: 2024-05-01
title: Get-Thing
note: 'it''s quoted'
---

# Get-Thing

## SYNOPSIS

Gets things where a < b & c > d.

## SYNTAX

### ByName (Default)

```
Get-Thing [-Name] <string> [-Mode <string>] [<CommonParameters>]
```

### ById

```
Get-Thing -Id <int> [[-Mode] <string>] [-Force] [<CommonParameters>]
```

## ALIASES

This cmdlet has the following aliases: gt.

## DESCRIPTION

First paragraph, wrapped
over two lines, with `code` and a [link](https://example.com/x) and [a page](Other-Thing.md).

- item one
  continued
- item two

## EXAMPLES

### Example 1: Plain

Before the code.

```powershell
# not a heading
Get-Thing -Name 'a<b>&c'
    indented line
```

After the code.

Second remark.

### Example 2: Two blocks

```powershell
$x = 1
```

```powershell
Get-Thing -Id $x
```

Remark two.

## PARAMETERS

### -Force

Forces it.

```yaml
Type: System.Management.Automation.SwitchParameter
DefaultValue: ''
SupportsWildcards: false
Aliases: []
ParameterSets:
- Name: ById
  Position: Named
  IsRequired: false
  ValueFromPipeline: false
  ValueFromPipelineByPropertyName: false
  ValueFromRemainingArguments: false
DontShow: false
AcceptedValues: []
HelpMessage: ''
```

### -Id

The id & more.

```yaml
Type: System.Int32
DefaultValue: ''
SupportsWildcards: false
Aliases:
- Identity
- I
ParameterSets:
- Name: ById
  Position: Named
  IsRequired: true
  ValueFromPipeline: true
  ValueFromPipelineByPropertyName: true
  ValueFromRemainingArguments: false
DontShow: false
AcceptedValues: []
HelpMessage: ''
```

### -Mode

How: fast or slow.

Second paragraph.

```yaml
Type: System.String
DefaultValue: fast
SupportsWildcards: true
Aliases: []
ParameterSets:
- Name: ByName
  Position: Named
  IsRequired: false
  ValueFromPipeline: false
  ValueFromPipelineByPropertyName: false
  ValueFromRemainingArguments: false
- Name: ById
  Position: 0
  IsRequired: false
  ValueFromPipeline: false
  ValueFromPipelineByPropertyName: false
  ValueFromRemainingArguments: false
DontShow: false
AcceptedValues:
- fast
- slow
HelpMessage: ''
```

### -Name

The thing's name.

```yaml
Type: System.String
DefaultValue: ''
SupportsWildcards: false
Aliases: []
ParameterSets:
- Name: ByName
  Position: 0
  IsRequired: true
  ValueFromPipeline: false
  ValueFromPipelineByPropertyName: true
  ValueFromRemainingArguments: false
DontShow: false
AcceptedValues: []
HelpMessage: ''
```

### CommonParameters

This cmdlet supports the common parameters.

## INPUTS

### System.String

Names, by property.

## OUTPUTS

### Thing.Out

A thing.

## NOTES

Note one.

Note two.

## RELATED LINKS

- [Online docs](https://example.com/docs)
- [Other-Thing](Other-Thing.md)
'@ -replace "`r`n", "`n"

    function Write-TestPage([string] $Text, [string] $Name = 'Get-Thing', [string] $Folder = 'pages') {
        $dir = Join-Path $TestDrive $Folder
        New-Item -ItemType Directory -Force -Path $dir | Out-Null
        $path = Join-Path $dir "$Name.md"
        [System.IO.File]::WriteAllText($path, $Text)
        $path
    }

    function Get-Maml([string] $Text) {
        [xml] (ConvertTo-Maml -Page @(Read-HelpPage -Path (Write-TestPage $Text)))
    }

    function Select-Maml([xml] $Xml, [string] $XPath) {
        $ns = [System.Xml.XmlNamespaceManager]::new($Xml.NameTable)
        $ns.AddNamespace('msh', 'http://msh')
        $ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
        @($Xml.SelectNodes($XPath, $ns))
    }
}

Describe 'Read-HelpPage' {
    It 'reads the front matter, quoted values included' {
        $page = Read-HelpPage -Path (Write-TestPage $Page)
        $page.FrontMatter['title'] | Should -Be 'Get-Thing'
        $page.FrontMatter['external help file'] | Should -Be 'GitlabCli.dll-Help.xml'
        $page.FrontMatter['note'] | Should -Be "it's quoted"
        $page.FrontMatter['PlatyPS schema version'] | Should -Be '2024-05-01'
    }

    It 'refuses a page without front matter, naming the file and line 1' {
        $path = Write-TestPage ($Page -replace '(?s)^---.*?---\r?\n', '')
        { Read-HelpPage -Path $path } | Should -Throw "*Get-Thing.md:1: a page starts with YAML front matter*"
    }

    It 'refuses front matter that is never closed' {
        $path = Write-TestPage "---`ntitle: Get-Thing`n# Get-Thing`n"
        { Read-HelpPage -Path $path } | Should -Throw '*never closed*'
    }

    It 'refuses a code block that is never closed, naming its line' {
        $text = $Page.Substring(0, $Page.IndexOf('## PARAMETERS')) + "### Example 3: Open`n`n" + '```powershell' + "`nGet-Thing`n"
        $path = Write-TestPage $text
        $line = [array]::LastIndexOf([System.IO.File]::ReadAllLines($path), '```powershell') + 1
        { Read-HelpPage -Path $path } | Should -Throw "*Get-Thing.md:$($line): code block opened here is never closed*"
    }

    It 'refuses YAML it does not understand, naming the line' {
        $path = Write-TestPage ($Page -replace 'DefaultValue: fast', 'DefaultValue: {fast}')
        $line = [array]::IndexOf([System.IO.File]::ReadAllLines($path), 'DefaultValue: {fast}') + 1
        { Read-HelpPage -Path $path } | Should -Throw "*Get-Thing.md:$($line): YAML value '{fast}'*"
    }

    It 'keeps a code block''s lines, indentation and # lines; the text around it is the remarks' {
        $page = Read-HelpPage -Path (Write-TestPage $Page)
        $page.Examples.Count | Should -Be 2
        $page.Examples[0].Code | Should -Be "# not a heading`nGet-Thing -Name 'a<b>&c'`n    indented line"
        $page.Examples[0].Remarks | Should -Be @('Before the code.', 'After the code.', 'Second remark.')
        $page.Examples[1].Code | Should -Be "`$x = 1`n`nGet-Thing -Id `$x"
    }

    It 'joins wrapped lines, keeps list items apart, and turns inline markdown into text' {
        $page = Read-HelpPage -Path (Write-TestPage $Page)
        $page.Description | Should -Be @(
            'First paragraph, wrapped over two lines, with code and a link (https://example.com/x) and a page.'
            '- item one continued'
            '- item two'
        )
    }

    It 'reads parameter sets, aliases and accepted values from the YAML blocks' {
        $page = Read-HelpPage -Path (Write-TestPage $Page)
        $mode = $page.Parameters | Where-Object Name -EQ 'Mode'
        @($mode.Metadata['ParameterSets']).Count | Should -Be 2
        $mode.Metadata['ParameterSets'][1]['Name'] | Should -Be 'ById'
        $mode.Metadata['ParameterSets'][1]['Position'] | Should -Be '0'
        @($mode.Metadata['AcceptedValues']) | Should -Be @('fast', 'slow')
        $id = $page.Parameters | Where-Object Name -EQ 'Id'
        @($id.Metadata['Aliases']) | Should -Be @('Identity', 'I')
        @($page.Syntax | ForEach-Object Name) | Should -Be @('ByName', 'ById')
        $page.Syntax[0].IsDefault | Should -BeTrue
    }
}

Describe 'Test-HelpPage' {
    It 'finds nothing wrong with a complete page' {
        Test-HelpPage -Page (Read-HelpPage -Path (Write-TestPage $Page)) | Should -BeNullOrEmpty
    }

    It 'reports <Problem>' -ForEach @(
        @{ Problem = 'an empty synopsis'; Find = "## SYNOPSIS`n`nGets things where a < b & c > d.`n"; Replace = "## SYNOPSIS`n`n"; Expect = '*SYNOPSIS is empty*' }
        @{ Problem = 'a missing synopsis section'; Find = "## SYNOPSIS`n`nGets things where a < b & c > d.`n"; Replace = ''; Expect = "*section '## SYNOPSIS' is missing*" }
        @{ Problem = 'an empty description'; Find = "## DESCRIPTION`n`nFirst paragraph, wrapped`nover two lines, with ``code`` and a [link](https://example.com/x) and [a page](Other-Thing.md).`n`n- item one`n  continued`n- item two`n"; Replace = "## DESCRIPTION`n"; Expect = '*DESCRIPTION is empty*' }
        @{ Problem = 'an example without remarks'; Find = "Remark two.`n"; Replace = ''; Expect = "*example 'Example 2: Two blocks' does not say what it does*" }
        @{ Problem = 'a parameter without text'; Find = "### -Name`n`nThe thing's name.`n"; Replace = "### -Name`n"; Expect = '*parameter -Name has no text*' }
        @{ Problem = 'a parameter without its yaml block'; Find = "Forces it.`n`n``````yaml`nType: System.Management.Automation.SwitchParameter"; Replace = "Forces it.`n`n``````text`nType: System.Management.Automation.SwitchParameter"; Expect = '*parameter -Force needs exactly one yaml block*' }
        @{ Problem = 'a parameter set entry without Position'; Find = "- Name: ByName`n  Position: 0`n"; Replace = "- Name: ByName`n"; Expect = "*set 'ByName' lacks 'Position:'*" }
        @{ Problem = 'a Position that is no number'; Find = "- Name: ByName`n  Position: 0`n"; Replace = "- Name: ByName`n  Position: first`n"; Expect = "*Position 'first', not Named or a number*" }
        @{ Problem = 'a SYNTAX block naming a parameter the set lacks'; Find = 'Get-Thing [-Name] <string> [-Mode <string>]'; Replace = 'Get-Thing [-Name] <string> [-Mode <string>] [-Force]'; Expect = "*SYNTAX of set 'ByName' names -Force*" }
        @{ Problem = 'a SYNTAX block that leaves out a parameter of the set'; Find = 'Get-Thing [-Name] <string> [-Mode <string>]'; Replace = 'Get-Thing [-Name] <string>'; Expect = "*-Mode belongs to set 'ByName' but its SYNTAX block does not name it*" }
        @{ Problem = 'a title that is not the file name'; Find = 'title: Get-Thing'; Replace = 'title: Get-Other'; Expect = "*title 'Get-Other' is not the file's name*" }
        @{ Problem = 'a missing front matter key'; Find = "Module Name: GitlabCli`n"; Replace = ''; Expect = "*front matter lacks 'Module Name:'*" }
        @{ Problem = 'sections out of order'; Find = '(?s)(## ALIASES\n\n.*?\n\n)(.*?)(## NOTES)'; Replace = '$2$1$3'; Regex = $true; Expect = '*sections are in the order SYNOPSIS, SYNTAX, DESCRIPTION*' }
        @{ Problem = 'a section twice'; Find = "## ALIASES`n"; Replace = "## NOTES`n`nEarly.`n`n## ALIASES`n"; Expect = "*section '## NOTES' appears twice*" }
        @{ Problem = 'a section the format does not have'; Find = "## ALIASES`n"; Replace = "## EXTRA`n`nMore.`n`n## ALIASES`n"; Expect = "*'## EXTRA' is not a section of the page format*" }
        @{ Problem = 'no example at all'; Find = '(?s)## EXAMPLES.*?## PARAMETERS'; Replace = "## EXAMPLES`n`n## PARAMETERS"; Regex = $true; Expect = '*there is no example*' }
    ) {
        $text = if ($Regex) { $Page -replace $Find, $Replace } else { $Page.Replace($Find, $Replace) }
        $text | Should -Not -Be $Page -Because 'the test must break the page'
        $path = Write-TestPage $text
        # A structural error throws; a missing piece is a problem in the list. Either names it.
        $problems = try { @(Test-HelpPage -Page (Read-HelpPage -Path $path)) } catch { @($_.Exception.Message) }
        ($problems -join "`n") | Should -BeLike $Expect
    }

    It 'refuses to export a broken page, lists the problem, and writes nothing' {
        $path = Write-TestPage ($Page.Replace("### -Name`n`nThe thing's name.`n", "### -Name`n")) -Folder 'broken'
        $target = Join-Path $TestDrive 'broken-out' 'Help.xml'
        { Export-MamlHelp -Path (Split-Path $path) -Destination $target } | Should -Throw '*parameter -Name has no text*'
        Test-Path -LiteralPath $target | Should -BeFalse
    }
}

Describe 'ConvertTo-Maml' {
    BeforeAll {
        $script:Xml = Get-Maml $Page
    }

    It 'writes one command with its details' {
        Select-Maml $Xml '/msh:helpItems[@schema="maml"]/command:command' | Should -HaveCount 1
        (Select-Maml $Xml '//command:details/command:name' | Select-Object -First 1).InnerText | Should -Be 'Get-Thing'
        (Select-Maml $Xml '//command:details/command:verb' | Select-Object -First 1).InnerText | Should -Be 'Get'
        (Select-Maml $Xml '//command:details/command:noun' | Select-Object -First 1).InnerText | Should -Be 'Thing'
    }

    It 'escapes < and & in text and code, and keeps them as text' {
        $raw = ConvertTo-Maml -Page @(Read-HelpPage -Path (Write-TestPage $Page))
        $raw | Should -Match ([regex]::Escape('Gets things where a &lt; b &amp; c &gt; d.'))
        (Select-Maml $Xml '//command:details/maml:description/maml:para' | Select-Object -First 1).InnerText | Should -Be 'Gets things where a < b & c > d.'
        (Select-Maml $Xml '//command:example/dev:code' | Select-Object -First 1).InnerText | Should -BeLike "*Get-Thing -Name 'a<b>&c'*"
        (Select-Maml $Xml '//command:parameters/command:parameter[maml:name="Id"]/maml:description/maml:para' | Select-Object -First 1).InnerText | Should -Be 'The id & more.'
    }

    It 'writes one syntax item per parameter set, each parameter with that set''s metadata' {
        $items = Select-Maml $Xml '//command:syntax/command:syntaxItem'
        $items | Should -HaveCount 2
        $first = @($items[0].SelectNodes('*[local-name()="parameter"]'))
        @($first | ForEach-Object { $_.name }) | Should -Be @('Name', 'Mode')
        $second = @($items[1].SelectNodes('*[local-name()="parameter"]'))
        @($second | ForEach-Object { $_.name }) | Should -Be @('Id', 'Mode', 'Force')
        $modeInFirst = $first | Where-Object { $_.name -eq 'Mode' }
        $modeInSecond = $second | Where-Object { $_.name -eq 'Mode' }
        $modeInFirst.position | Should -Be 'named'
        $modeInSecond.position | Should -Be '0'
        ($first | Where-Object { $_.name -eq 'Name' }).required | Should -Be 'true'
        # The value's name as the SYNTAX block writes it.
        ($first | Where-Object { $_.name -eq 'Name' }).parameterValue.'#text' | Should -Be 'string'
        # A switch has no value.
        ($second | Where-Object { $_.name -eq 'Force' }).parameterValue | Should -BeNullOrEmpty
    }

    It 'writes every parameter once, with required, position, pipelineInput, globbing, aliases and type' {
        $parameters = Select-Maml $Xml '//command:parameters/command:parameter'
        @($parameters | ForEach-Object { $_.name }) | Should -Be @('Force', 'Id', 'Mode', 'Name')
        $id = $parameters | Where-Object { $_.name -eq 'Id' }
        $id.required | Should -Be 'true'
        $id.pipelineInput | Should -Be 'True (ByValue, ByPropertyName)'
        $id.aliases | Should -Be 'Identity, I'
        $id.type.name | Should -Be 'System.Int32'
        $id.parameterValue.'#text' | Should -Be 'System.Int32'
        $name = $parameters | Where-Object { $_.name -eq 'Name' }
        $name.pipelineInput | Should -Be 'True (ByPropertyName)'
        $name.aliases | Should -Be 'none'
        $mode = $parameters | Where-Object { $_.name -eq 'Mode' }
        $mode.globbing | Should -Be 'true'
        $mode.position | Should -Be 'named'
        $mode.defaultValue | Should -Be 'fast'
        @($mode.description.para) | Should -Be @('How: fast or slow.', 'Second paragraph.')
        @($mode.parameterValueGroup.parameterValue | ForEach-Object { $_.'#text' }) | Should -Be @('fast', 'slow')
        ($parameters | Where-Object { $_.name -eq 'Force' }).pipelineInput | Should -Be 'False'
    }

    It 'writes inputs, outputs, notes, examples and links, the HelpUri first' {
        (Select-Maml $Xml '//command:inputTypes/command:inputType/dev:type/maml:name' | Select-Object -First 1).InnerText | Should -Be 'System.String'
        (Select-Maml $Xml '//command:returnValues/command:returnValue/dev:type/maml:name' | Select-Object -First 1).InnerText | Should -Be 'Thing.Out'
        @(Select-Maml $Xml '//maml:alertSet/maml:alert/maml:para' | ForEach-Object InnerText) | Should -Be @('Note one.', 'Note two.')
        @(Select-Maml $Xml '//command:example/maml:title' | ForEach-Object InnerText) | Should -Be @('--------- Example 1: Plain ---------', '--------- Example 2: Two blocks ---------')
        @(Select-Maml $Xml '//command:example/dev:remarks/maml:para' | ForEach-Object InnerText) | Should -Be @('Before the code.', 'After the code.', 'Second remark.', 'Remark two.')
        Select-Maml $Xml '//command:example/maml:introduction' | Should -BeNullOrEmpty
        $links = Select-Maml $Xml '//command:relatedLinks/maml:navigationLink'
        @($links | ForEach-Object { $_.linkText }) | Should -Be @('Online Version:', 'Online docs', 'Other-Thing')
        @($links | ForEach-Object { $_.uri }) | Should -Be @('https://example.com/help/Get-Thing', 'https://example.com/docs', '')
    }

    It 'writes the same bytes for the same pages, commands in name order' {
        $b = Write-TestPage ($Page -replace 'Get-Thing', 'Add-Thing') -Name 'Add-Thing' -Folder 'two'
        $a = Write-TestPage $Page -Folder 'two'
        $pages = @(Read-HelpPage -Path $a; Read-HelpPage -Path $b)
        $one = ConvertTo-Maml -Page $pages
        $two = ConvertTo-Maml -Page @($pages[1], $pages[0])
        $two | Should -BeExactly $one
        @(Select-Maml ([xml] $one) '//command:details/command:name' | ForEach-Object InnerText) | Should -Be @('Add-Thing', 'Get-Thing')
    }
}

Describe 'The MAML in Get-Help' {
    BeforeAll {
        # A script module whose function reads external help, as a binary module's cmdlet does.
        $folder = Join-Path $TestDrive 'ThingFixture'
        New-Item -ItemType Directory -Force -Path (Join-Path $folder 'en-US') | Out-Null
        Export-MamlHelp -Path (Split-Path (Write-TestPage $Page -Folder 'fixture-pages')) -Destination (Join-Path $folder 'en-US' 'GitlabCli.dll-Help.xml') | Out-Null
        Set-Content -LiteralPath (Join-Path $folder 'ThingFixture.psm1') -Value @'
function Get-Thing {
    # .ExternalHelp GitlabCli.dll-Help.xml
    [CmdletBinding()] param()
}
'@
        Import-Module (Join-Path $folder 'ThingFixture.psm1') -Force
    }

    AfterAll {
        Remove-Module ThingFixture -ErrorAction SilentlyContinue
    }

    It 'shows the synopsis, description, examples and parameters with the escaped characters as typed' {
        $help = Get-Help Get-Thing -Full
        $help.Synopsis | Should -Be 'Gets things where a < b & c > d.'
        $help.examples.example[0].code | Should -BeLike "*'a<b>&c'*"
        $text = $help | Out-String -Width 200
        $text | Should -Match 'Accept pipeline input\?\s+True \(ByValue, ByPropertyName\)'
        $text | Should -Match 'Aliases\s+Identity, I'
        $text | Should -Match ([regex]::Escape('Get-Thing -Id <int> [[-Mode] {fast | slow}] [-Force]'))
    }

    It 'shows one parameter with -Parameter' {
        $parameter = Get-Help Get-Thing -Parameter Mode
        # PowerShell ends every paragraph but the last with a line break.
        @($parameter.description.Text | ForEach-Object Trim) | Should -Be @('How: fast or slow.', 'Second paragraph.')
        $parameter.globbing | Should -Be 'true'
    }
}

Describe 'ConvertTo-AboutText' {
    BeforeAll {
        $script:About = @'
---
document type: about
Locale: en-US
PlatyPS schema version: 2024-05-01
title: about_Thing
---

# about_Thing

## Short description

Things & more.

## Long description

A long paragraph that goes on and on so that it must be wrapped at eighty columns, with `code` and a [link](https://example.com/x).

### Details

- a list item that is long enough to wrap onto a second line, where it hangs under its text
- short

```powershell
Get-Thing -Name x
```
'@ -replace "`r`n", "`n"
        function Write-About([string] $Text, [string] $Name = 'about_Thing', [string] $Folder = 'about') {
            Write-TestPage $Text -Name $Name -Folder $Folder
        }
    }

    It 'writes TOPIC and the sections in capitals, wrapped at 80 columns and indented' {
        $text = ConvertTo-AboutText -Path (Write-About $About)
        $lines = $text.TrimEnd("`n") -split "`n"
        $lines[0..4] | Should -Be @('TOPIC', '    about_Thing', '', 'SHORT DESCRIPTION', '    Things & more.')
        $lines | Should -Contain 'LONG DESCRIPTION'
        $lines | Should -Contain '    Details'
        $lines | Should -Contain '        Get-Thing -Name x'
        @($lines | Where-Object { $_.Length -gt 80 }) | Should -BeNullOrEmpty
        $long = @($lines | Where-Object { $_ -like '    A long paragraph*' })
        $long | Should -HaveCount 1
        $next = $lines[[array]::IndexOf($lines, $long[0]) + 1]
        $next | Should -Match '^    \S'
        ($text -replace '\s+', ' ') | Should -BeLike '*with code and a link (https://example.com/x).*'
        # A list item's second line hangs under its text.
        $item = [array]::IndexOf($lines, ($lines | Where-Object { $_ -like '    - a list item*' }))
        $lines[$item + 1] | Should -Match '^      \S'
        $lines | Should -Contain '    - short'
    }

    It 'refuses a page without <Missing>' -ForEach @(
        @{ Missing = 'a short description'; Find = "## Short description`n`nThings & more.`n"; Expect = "*'## Short description' is missing or empty*" }
        @{ Missing = 'a long description'; Find = '(?s)## Long description.*'; Regex = $true; Expect = "*'## Long description' is missing or empty*" }
        @{ Missing = 'front matter'; Find = '(?s)^---.*?---\n'; Regex = $true; Expect = '*starts with YAML front matter*' }
    ) {
        $damaged = if ($Regex) { $About -replace $Find, '' } else { $About.Replace($Find, '') }
        $damaged | Should -Not -Be $About
        { ConvertTo-AboutText -Path (Write-About $damaged) } | Should -Throw $Expect
    }

    It 'refuses a title that is not the file name' {
        { ConvertTo-AboutText -Path (Write-About $About -Name 'about_Other') } | Should -Throw "*title 'about_Thing' must be the file's name*"
    }

    It 'is read by Get-Help about_Thing from a module''s en-US folder' {
        $folder = Join-Path $TestDrive 'AboutFixture'
        $written = @(Export-AboutHelp -Path (Split-Path (Write-About $About -Folder 'about-fixture')) -Destination (Join-Path $folder 'en-US'))
        $written | Should -HaveCount 1
        Set-Content -LiteralPath (Join-Path $folder 'AboutFixture.psm1') -Value 'function Get-AboutFixture {}'
        Import-Module (Join-Path $folder 'AboutFixture.psm1') -Force
        try {
            (Get-Help about_Thing | Out-String) | Should -BeLike '*SHORT DESCRIPTION*Things & more.*'
        } finally {
            Remove-Module AboutFixture
        }
    }
}
