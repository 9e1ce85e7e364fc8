/*
 * phishloop shipped rule pack: credential-harvesting pages (phishing kits) sent as HTML
 * attachments or HTML bodies. Written for phishloop (Apache-2.0).
 */

rule Phish_Telegram_Bot_Exfiltration
{
    meta:
        description = "Calls the Telegram bot API with a bot token: phishing kits send stolen credentials or victim tracking to the attacker's Telegram chat"
        signal = "phish"
        weight = 6
        author = "phishloop"
        reference = "https://core.telegram.org/bots/api#making-requests"
    strings:
        $token_url = /api\.telegram\.org\/bot[0-9]{6,12}:[A-Za-z0-9_\-]{30,40}/ nocase ascii wide
        $api = "api.telegram.org/bot" nocase ascii wide
        $send1 = "sendMessage" nocase ascii wide
        $send2 = "sendDocument" nocase ascii wide
        $send3 = "chat_id" nocase ascii wide
    condition:
        (target == "attachment" or target == "body:html")
        and ($token_url or ($api and 2 of ($send*) and target == "attachment"))
}

rule Phish_Credential_Form_Relay
{
    meta:
        description = "Password field posting to a form-relay, webhook or script service that phishing kits use to collect credentials"
        signal = "phish"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1566/001/"
    strings:
        $password = /type\s{0,4}=\s{0,4}["']?password/ nocase ascii wide
        $relay1 = "formspree.io" nocase ascii wide
        $relay2 = "formsubmit.co" nocase ascii wide
        $relay3 = "getform.io" nocase ascii wide
        $relay4 = "submit-form.com" nocase ascii wide
        $relay5 = "discord.com/api/webhooks" nocase ascii wide
        $relay6 = "discordapp.com/api/webhooks" nocase ascii wide
        $relay7 = "script.google.com/macros/s/" nocase ascii wide
        $relay8 = "hooks.slack.com/services" nocase ascii wide
        $relay9 = "webhook.site/" nocase ascii wide
        $relay10 = "basin.usebasin.com" nocase ascii wide
        $relay11 = "formcarry.com/s/" nocase ascii wide
    condition:
        (target == "attachment" or target == "body:html") and $password and any of ($relay*)
}

rule Phish_Password_Form_Posts_Remote
{
    meta:
        description = "Password field in a form that posts to a web address: a credential-harvesting page sent as an attachment or HTML body"
        signal = "phish"
        weight = 5
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1566/001/"
    strings:
        $password = /type\s{0,4}=\s{0,4}["']?password/ nocase ascii wide
        $action = /<form[^>]{0,400}action\s{0,4}=\s{0,4}["']?(https?:)?\/\/[^"'\s>]{4,200}/ nocase ascii wide
        // Cisco Secure Email encrypted envelopes (securedoc.html) post the key to Cisco
        $envelope = /<form[^>]{0,400}action\s{0,4}=\s{0,4}["']?https:\/\/res\.cisco\.com\// nocase ascii wide
    condition:
        (target == "attachment" or target == "body:html") and $password and #action > #envelope
        and not Phish_Credential_Form_Relay
}

rule Phish_Microsoft_Signin_Clone
{
    meta:
        description = "Copy of the Microsoft 365 sign-in page with a password field, sent as an attachment or HTML body (sign-in pages are never mailed)"
        signal = "phish"
        weight = 6
        author = "phishloop"
        reference = "https://attack.mitre.org/techniques/T1566/001/"
    strings:
        $password = /type\s{0,4}=\s{0,4}["']?password/ nocase ascii wide
        $id1 = "i0116" ascii wide
        $id2 = "i0118" ascii wide
        $id3 = "idSIButton9" ascii wide
        $id4 = "idA_PWD_ForgotPassword" ascii wide
        $cdn1 = "aadcdn.msftauth.net" nocase ascii wide
        $cdn2 = "aadcdn.msauth.net" nocase ascii wide
        $cdn3 = "logincdn.msauth.net" nocase ascii wide
        $cdn4 = "aadcdn.msftauthimages.net" nocase ascii wide
        $text1 = "Sign in to your account" nocase ascii wide
        $text2 = "Forgot my password" nocase ascii wide
        $text3 = "Keep me signed in" nocase ascii wide
        $text4 = "Can't access your account" nocase ascii wide
        $text5 = "Enter password" nocase ascii wide
        $text6 = "Microsoft" ascii wide
    condition:
        (target == "attachment" or target == "body:html") and $password
        and (any of ($id*) or (any of ($cdn*) and $text6) or ($text6 and 2 of ($text1, $text2, $text3, $text4, $text5)))
}
