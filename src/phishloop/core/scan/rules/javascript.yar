/*
 * phishloop shipped rule pack: script tricks of phishing pages and script droppers in HTML,
 * SVG and script attachments. Written for phishloop (Apache-2.0).
 */

rule JS_Decode_And_Execute
{
    meta:
        description = "Script decodes a hidden payload and runs or writes it at once (eval/Function/document.write of atob, unescape or fromCharCode), the usual obfuscation of phishing pages"
        signal = "phish"
        weight = 4
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1027/"
    strings:
        $eval = /eval\s{0,4}\(\s{0,4}(window\.)?(atob|unescape|decodeURIComponent|String\.fromCharCode)\s{0,4}\(/ ascii wide
        $function = /Function\s{0,4}\(\s{0,4}(window\.)?(atob|unescape|decodeURIComponent)\s{0,4}\(/ ascii wide
        $write_b64 = /document\.write(ln)?\s{0,4}\(\s{0,4}(window\.)?atob\s{0,4}\(/ ascii wide
        // a long escaped literal: the old Google Analytics snippet escapes one short tag only
        $write_esc = /document\.write(ln)?\s{0,4}\(\s{0,4}(unescape|decodeURIComponent)\s{0,4}\(\s{0,4}["'][^"'\r\n]{300}/ ascii wide
        $inner = /\.innerHTML\s{0,4}=\s{0,4}(window\.)?(atob|unescape)\s{0,4}\(/ ascii wide
    condition:
        (target == "attachment" or target == "body:html") and any of them
}

rule HTML_Attachment_Auto_Redirect
{
    meta:
        description = "Small HTML attachment that sends the browser to a web address as soon as it is opened (redirector to a phishing site)"
        signal = "phish"
        weight = 4
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1566/001/"
    strings:
        $html1 = "<html" nocase
        $html2 = "<script" nocase
        $html3 = "<meta" nocase
        $html4 = "<body" nocase
        $assign = /location(\.href)?\s{0,4}=\s{0,4}["']https?:\/\// nocase
        $replace = /location\.(replace|assign)\s{0,4}\(\s{0,4}["']https?:\/\// nocase
        $open = /window\.open\s{0,4}\(\s{0,4}["']https?:\/\// nocase
        $refresh = /content\s{0,4}=\s{0,4}["']\s{0,4}\d{1,3}\s{0,4};\s{0,4}url\s{0,4}=\s{0,4}["']?https?:\/\// nocase
        $click = /onload\s{0,4}=\s{0,4}["'][^\r\n>]{0,160}\.click\(\)/ nocase
    condition:
        target == "attachment" and filesize < 200KB and any of ($html*)
        and any of ($assign, $replace, $open, $refresh, $click)
}

rule SVG_Active_Content
{
    meta:
        description = "SVG image attachment that runs script or embeds a web page or form (SVG phishing and redirectors)"
        signal = "phish"
        weight = 5
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1027/006/"
    strings:
        $svg = "<svg" nocase ascii wide
        $script = "<script" nocase ascii wide
        $foreign = "<foreignObject" nocase ascii wide
        $js1 = "atob(" ascii wide
        $js2 = "location" ascii wide
        $js3 = "eval(" ascii wide
        $js4 = "window.open" ascii wide
        $js5 = "document.write" ascii wide
        $js6 = "fetch(" ascii wide
        $js7 = "unescape(" ascii wide
        $embed1 = "<iframe" nocase ascii wide
        $embed2 = "<form" nocase ascii wide
        $embed3 = "<input" nocase ascii wide
    condition:
        target == "attachment" and $svg
        and (($script and any of ($js*)) or ($foreign and any of ($embed*)))
}

rule WSH_Script_Downloader
{
    meta:
        description = "Windows Script Host script (JScript/VBScript) that downloads and runs something: a malware loader"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1059/005/"
    strings:
        $shell1 = "WScript.Shell" nocase ascii wide
        $shell2 = "Shell.Application" nocase ascii wide
        $net1 = "MSXML2.XMLHTTP" nocase ascii wide
        $net2 = "Microsoft.XMLHTTP" nocase ascii wide
        $net3 = "WinHttp.WinHttpRequest" nocase ascii wide
        $net4 = "MSXML2.ServerXMLHTTP" nocase ascii wide
        $net5 = "ADODB.Stream" nocase ascii wide
        $net6 = "powershell" nocase ascii wide
        $run = /\.(Run|Exec|ShellExecute)\s{0,4}[\( ]/ nocase ascii wide
    condition:
        target == "attachment" and any of ($shell*) and any of ($net*) and $run
}

rule HTA_Script_Application
{
    meta:
        description = "HTML Application (HTA) with script that can run programs: opened by mshta.exe with full user rights"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1218/005/"
    strings:
        $hta = "<HTA:APPLICATION" nocase ascii wide
        $run1 = "WScript.Shell" nocase ascii wide
        $run2 = "ActiveXObject" nocase ascii wide
        $run3 = "CreateObject" nocase ascii wide
        $run4 = "powershell" nocase ascii wide
        $run5 = "Shell.Application" nocase ascii wide
    condition:
        target == "attachment" and $hta and any of ($run*)
}
