/*
 * phishloop shipped rule pack: extortion ("sextortion") mail. Written for phishloop
 * (Apache-2.0).
 */

rule Extortion_Bitcoin_Demand
{
    meta:
        description = "Claims to have hacked the recipient's device or filmed them and demands payment to a bitcoin wallet (sextortion)"
        signal = "extortion"
        weight = 4
        author = "phishloop"
        reference = "https://www.ic3.gov/PSA/2024/PSA240129"
    strings:
        $wallet = /(btc|bitcoin|wallet)[^\r\n]{0,40}[\s:]\s{0,10}(bc1q[a-z0-9]{38,58}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})([^A-Za-z0-9]|$)/ nocase
        $k1 = "hacked" nocase
        $k2 = "access to your device" nocase
        $k3 = "trojan" nocase
        $k4 = "remote access" nocase
        $k5 = "adult" nocase
        $k6 = "webcam" nocase
        $k7 = "camera" nocase
        $k8 = "recorded" nocase
        $k9 = "video of you" nocase
        $k10 = "intimate" nocase
        $k11 = "masturbat" nocase
        $k12 = "your contacts" nocase
        $k13 = "48 hours" nocase
        $k14 = "spyware" nocase
        $k15 = "porn" nocase
        $k16 = "watching you" nocase
    condition:
        (target == "body:text" or target == "body:html") and $wallet and 4 of ($k*)
}
