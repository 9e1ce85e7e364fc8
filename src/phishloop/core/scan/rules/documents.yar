/*
 * phishloop shipped rule pack: active content in documents (RTF, SYLK, PDF).
 * Written for phishloop (Apache-2.0).
 */

rule RTF_Equation_Editor_Object
{
    meta:
        description = "RTF document embedding an Equation Editor 3.0 object, the component exploited by CVE-2017-11882 and CVE-2018-0802 (removed from Office in 2018)"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://nvd.nist.gov/vuln/detail/CVE-2017-11882"
    strings:
        $rtf = "{\\rt"
        $object = "\\object" nocase
        $name_text = "Equation.3" nocase
        $name_hex = "4571756174696f6e2e33" nocase
        $clsid_hex = "02ce020000000000c000000000000046" nocase
    condition:
        target == "attachment" and $rtf at 0 and $object and any of ($name_text, $name_hex, $clsid_hex)
}

rule RTF_Auto_Updating_Object
{
    meta:
        description = "RTF document with an embedded object that updates itself when opened (\\objupdate), a trick of RTF exploit documents"
        signal = "malware"
        weight = 4
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1203/"
    strings:
        $rtf = "{\\rt"
        $update = "\\objupdate" nocase
        $data = "\\objdata" nocase
    condition:
        target == "attachment" and $rtf at 0 and $update and $data
}

rule SYLK_Excel4_Macro_Exec
{
    meta:
        description = "SYLK spreadsheet whose formulas run programs or call Windows functions (Excel 4.0 macro in a SYLK file)"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1059/"
    strings:
        $sylk = "ID;P"
        $call = /;E[^\r\n]{0,200}(EXEC|CALL|REGISTER|URLDownloadToFile)\(/ nocase
    condition:
        target == "attachment" and $sylk at 0 and $call
}

rule PDF_Launch_Action
{
    meta:
        description = "PDF with a /Launch action that starts a program or command when the document is opened or clicked"
        signal = "malware"
        weight = 5
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1204/002/"
    strings:
        $pdf = "%PDF-"
        $launch = "/Launch" ascii
        $target1 = "cmd.exe" nocase
        $target2 = "powershell" nocase
        $target3 = "mshta" nocase
        $target4 = /\/F\s{0,4}\([^)]{1,200}\.(exe|bat|cmd|vbs|js|hta|scr|lnk|ps1)\)/ nocase
        $target5 = "/Win" ascii
    condition:
        target == "attachment" and $pdf in (0..1024) and $launch and any of ($target*)
}
