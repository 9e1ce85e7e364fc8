/*
 * phishloop shipped rule pack: HTML smuggling.
 * Written for phishloop (Apache-2.0). The `target` variable is set by phishloop: "message",
 * "body:text", "body:html" or "attachment".
 */

rule HTML_Smuggling_Dangerous_Download
{
    meta:
        description = "Script assembles a file in the browser (Blob) and saves it under an archive, disk-image, script or executable name (HTML smuggling)"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1027/006/"
    strings:
        $blob = "Blob(" ascii wide
        $object_url = "createObjectURL" ascii wide
        $ms_save = /msSave(OrOpen)?Blob/ ascii wide
        $name = /(\.download\s{0,8}=\s{0,8}|msSave(OrOpen)?Blob\s{0,4}\([^,)]{1,80},\s{0,8})["'`][^"'`\r\n]{1,120}\.(zip|rar|7z|iso|img|vhd|vhdx|exe|scr|msi|js|jse|vbs|vbe|wsf|hta|lnk|bat|cmd|ps1|one|docm|xlsm|jar|cab|dll|cpl)["'`]/ nocase ascii wide
    condition:
        (target == "attachment" or target == "body:html")
        and $blob and ($object_url or $ms_save) and $name
}

rule HTML_Smuggling_Data_URI_Download
{
    meta:
        description = "Link offers an embedded base64 archive or program for download under a dangerous file name (HTML smuggling through a data: URI)"
        signal = "malware"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1027/006/"
    strings:
        $data = /href\s{0,4}=\s{0,4}["']?data:application\/(octet-stream|zip|x-zip-compressed|x-rar-compressed|x-7z-compressed|x-iso9660-image|x-msdownload|x-msdos-program|vnd\.microsoft\.portable-executable|hta|javascript|x-javascript);base64,/ nocase
        $name = /download\s{0,4}=\s{0,4}["'][^"'\r\n]{1,120}\.(zip|rar|7z|iso|img|vhd|vhdx|exe|scr|msi|js|jse|vbs|vbe|wsf|hta|lnk|bat|cmd|ps1|one|jar|cab|dll|cpl)["']/ nocase
    condition:
        (target == "attachment" or target == "body:html") and $data and $name
}
