/*
 * phishloop shipped rule pack: test file.
 * Written for phishloop (Apache-2.0). Meta keys read by phishloop: description, signal,
 * weight (see docs/yara.md).
 */

rule EICAR_Test_File
{
    meta:
        description = "EICAR anti-virus test file (harmless; sent to test that scanning works)"
        signal = "malware"
        weight = 7
        author = "phishloop"
        reference = "https://www.eicar.org/download-anti-malware-testfile/"
    strings:
        $eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    condition:
        $eicar
}
