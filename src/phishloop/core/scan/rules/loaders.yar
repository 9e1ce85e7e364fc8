/*
 * phishloop shipped rule pack: malware loaders delivered by mail — shortcuts, OneNote
 * notebooks, disk images and PowerShell. Written for phishloop (Apache-2.0).
 */

rule LNK_Shortcut_Runs_Command
{
    meta:
        description = "Windows shortcut (.lnk) whose target runs a command interpreter or a living-off-the-land binary"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1204/002/"
    strings:
        $lnk = { 4C 00 00 00 01 14 02 00 00 00 00 00 C0 00 00 00 00 00 00 46 }
        $cmd1 = "powershell" nocase ascii wide
        $cmd2 = "cmd.exe" nocase ascii wide
        $cmd3 = "mshta" nocase ascii wide
        $cmd4 = "wscript" nocase ascii wide
        $cmd5 = "cscript" nocase ascii wide
        $cmd6 = "rundll32" nocase ascii wide
        $cmd7 = "regsvr32" nocase ascii wide
        $cmd8 = "bitsadmin" nocase ascii wide
        $cmd9 = "certutil" nocase ascii wide
        $cmd10 = "curl.exe" nocase ascii wide
        $cmd11 = "msiexec" nocase ascii wide
        $cmd12 = "forfiles" nocase ascii wide
        $cmd13 = "conhost" nocase ascii wide
    condition:
        target == "attachment"
        and for any i in (1..#lnk) : (for any of ($cmd*) : ($ in (@lnk[i]..@lnk[i] + 8192)))
}

rule OneNote_Embedded_Script_Or_Program
{
    meta:
        description = "OneNote notebook carrying an embedded script, shortcut or program (OneNote malware loader)"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1566/001/"
    strings:
        $one = { E4 52 5C 7B 8C D8 A7 4D AE B1 53 78 D0 29 96 D3 }
        $file_data = { E7 16 E3 BD 65 26 11 45 A4 C4 8D 4D 0B 7A 9E AC }
        $pe = "This program cannot be run in DOS mode"
        $lnk = { 4C 00 00 00 01 14 02 00 00 00 00 00 C0 00 00 00 00 00 00 46 }
        $script1 = "<HTA:APPLICATION" nocase ascii wide
        $script2 = "WScript.Shell" nocase ascii wide
        $script3 = "powershell" nocase ascii wide
        $script4 = "@echo off" nocase ascii wide
        $script5 = "cmd /c" nocase ascii wide
        $script6 = "CreateObject(" nocase ascii wide
    condition:
        target == "attachment" and $one at 0 and $file_data and ($pe or $lnk or any of ($script*))
}

rule Disk_Image_With_Program_Or_Shortcut
{
    meta:
        description = "ISO/IMG disk image holding a program, shortcut or script (used to slip past Mark-of-the-Web)"
        signal = "malware"
        weight = 5
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1553/005/"
    strings:
        $iso = "CD001"
        $n1 = ".LNK;1"
        $n2 = ".EXE;1"
        $n3 = ".DLL;1"
        $n4 = ".HTA;1"
        $n5 = ".JS;1"
        $n6 = ".VBS;1"
        $n7 = ".BAT;1"
        $n8 = ".CMD;1"
        $n9 = ".SCR;1"
        $n10 = ".WSF;1"
        $n11 = ".MSI;1"
        $n12 = ".CPL;1"
        // Joliet names are UCS-2 big-endian
        $j1 = { 00 2E 00 (6C|4C) 00 (6E|4E) 00 (6B|4B) }
        $j2 = { 00 2E 00 (65|45) 00 (78|58) 00 (65|45) }
        $j3 = { 00 2E 00 (64|44) 00 (6C|4C) 00 (6C|4C) }
        $j4 = { 00 2E 00 (68|48) 00 (74|54) 00 (61|41) }
        $j5 = { 00 2E 00 (76|56) 00 (62|42) 00 (73|53) }
        $j6 = { 00 2E 00 (62|42) 00 (61|41) 00 (74|54) }
        $j7 = { 00 2E 00 (63|43) 00 (6D|4D) 00 (64|44) }
        $j8 = { 00 2E 00 (73|53) 00 (63|43) 00 (72|52) }
        $j9 = { 00 2E 00 (77|57) 00 (73|53) 00 (66|46) }
        $j10 = { 00 2E 00 (6D|4D) 00 (73|53) 00 (69|49) }
    condition:
        target == "attachment" and $iso at 0x8001 and (any of ($n*) or any of ($j*))
}

rule PowerShell_Download_Cradle
{
    meta:
        description = "PowerShell that downloads and runs code (download cradle) or runs an encoded command hidden"
        signal = "malware"
        weight = 5
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1059/001/"
    strings:
        $get1 = "DownloadString" nocase ascii wide
        $get2 = "DownloadFile" nocase ascii wide
        $get3 = "DownloadData" nocase ascii wide
        $get4 = "Invoke-WebRequest" nocase ascii wide
        $get5 = "Invoke-RestMethod" nocase ascii wide
        $get6 = "Start-BitsTransfer" nocase ascii wide
        $run1 = /(^|[^A-Za-z0-9_-])iex[ (|;'"]/ nocase ascii wide
        $run2 = "Invoke-Expression" nocase ascii wide
        $encoded = /powershell(\.exe)?["']?\s{1,8}([-\/][A-Za-z]{1,20}\s{1,8}[A-Za-z]{0,12}\s{0,8}){0,6}[-\/]e(nc|ncodedcommand|c)?\s{1,8}[A-Za-z0-9+\/]{40}/ nocase ascii wide
        $hidden = "hidden" nocase ascii wide
    condition:
        target == "attachment" and ((any of ($get*) and any of ($run*)) or ($encoded and $hidden))
}
