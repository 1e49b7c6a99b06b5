/**
 * Transport (b): straight to Microsoft Graph with the tenant's app and a certificate, with nothing but
 * Invoke-RestMethod and .NET (no Microsoft Graph SDK module). Windows PowerShell 5.1 syntax only; the
 * requests are checked against Graph's documented shapes by tests/unit/module-http-contract.test.ts.
 *
 * - Token: client credentials with a certificate assertion (a JWT signed RS256 with the certificate's RSA
 *   key, x5t = base64url of its SHA-1 thumbprint): learn.microsoft.com/entra/identity-platform/certificate-credentials
 *   and learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * - One sendMail when the request as sent stays under 4 MB: learn.microsoft.com/graph/api/user-sendmail
 * - Otherwise a draft, attachments posted or uploaded in 3.75 MiB ranges (a multiple of 320 KiB) through
 *   an upload session, then send: learn.microsoft.com/graph/outlook-large-attachments,
 *   learn.microsoft.com/graph/api/attachment-createuploadsession, learn.microsoft.com/graph/api/message-send
 */
export const graphTransportParameters = [
  `        # The certificate: a thumbprint in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My (this parameter, else
        # $env:GRAPHMAIL_CERT_THUMBPRINT, else the Windows Credential Manager: Save-GraphMailCredential -Name CertificateThumbprint) ...
        [string] $CertificateThumbprint`,
  `        # ... or a .pfx file (else $env:GRAPHMAIL_PFX_PATH) and its password (else $env:GRAPHMAIL_PFX_PASSWORD,
        # else Save-GraphMailCredential -Name CertificatePassword).
        [string] $CertificatePath`,
  `        [object] $CertificatePassword`,
];

export const graphSendCall = `            Send-GraphMailViaGraph -Message $message -Files $files -Thumbprint $CertificateThumbprint -PfxPath $CertificatePath -PfxPassword $CertificatePassword -DeliveryReceipt $receipt`;

export const graphTransportHelp = `straight to Microsoft Graph as the tenant's app, signing in with a certificate
    (from Cert:\\CurrentUser\\My, Cert:\\LocalMachine\\My or a .pfx file). Attachments of 3 MB and more go
    through Graph's upload sessions (up to 150 MB each).`;

export const graphHelpers = `# Graph refuses any request over 4 MB as sent (JSON, attachments in base64): decide on the serialized size.
$script:GraphMailRequestLimit = 4000000
# Upload ranges: 12 x 320 KiB = 3.75 MiB, a multiple of 320 KiB and under 4 MB per request.
$script:GraphMailChunkBytes = 3932160
$script:GraphMailToken = $null

function ConvertTo-GraphMailBase64Url {
    param([byte[]] $Bytes)
    return [Convert]::ToBase64String($Bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_')
}

function Get-GraphMailCertificate {
    param([string] $Thumbprint, [string] $PfxPath, [object] $PfxPassword)
    $Thumbprint = Get-GraphMailSecret -Value $Thumbprint -Variable 'GRAPHMAIL_CERT_THUMBPRINT' -Name 'CertificateThumbprint'
    if ([string]::IsNullOrEmpty($PfxPath)) { $PfxPath = $env:GRAPHMAIL_PFX_PATH }
    if (-not [string]::IsNullOrEmpty($Thumbprint)) {
        $clean = ($Thumbprint -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()
        foreach ($store in 'Cert:\\CurrentUser\\My', 'Cert:\\LocalMachine\\My') {
            $found = Get-Item -LiteralPath (Join-Path $store $clean) -ErrorAction SilentlyContinue
            if ($null -ne $found) {
                if (-not $found.HasPrivateKey) {
                    throw (New-GraphMailException ('The certificate ' + $clean + ' in ' + $store + ' has no private key this account may use.'))
                }
                return $found
            }
        }
        throw (New-GraphMailException ('No certificate with the thumbprint ' + $clean + ' in Cert:\\CurrentUser\\My or Cert:\\LocalMachine\\My.'))
    }
    if (-not [string]::IsNullOrEmpty($PfxPath)) {
        $password = Get-GraphMailSecret -Value $PfxPassword -Variable 'GRAPHMAIL_PFX_PASSWORD' -Name 'CertificatePassword'
        if ($null -eq $password) { $password = '' }
        $full = (Resolve-Path -LiteralPath $PfxPath -ErrorAction Stop).ProviderPath
        $flags = [System.Security.Cryptography.X509Certificates.X509KeyStorageFlags]::DefaultKeySet
        return New-Object System.Security.Cryptography.X509Certificates.X509Certificate2 -ArgumentList $full, $password, $flags
    }
    throw (New-GraphMailException 'No certificate: give -CertificateThumbprint (or set GRAPHMAIL_CERT_THUMBPRINT), or -CertificatePath to a .pfx file (or set GRAPHMAIL_PFX_PATH).')
}

function Get-GraphMailToken {
    param([System.Security.Cryptography.X509Certificates.X509Certificate2] $Certificate)
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    if ($null -ne $script:GraphMailToken -and $script:GraphMailToken.Thumbprint -eq $Certificate.Thumbprint -and $script:GraphMailToken.ExpiresAt -gt ($now + 300)) {
        return $script:GraphMailToken.Value
    }
    $tokenUrl = $script:GraphMailConfig.TokenUrl
    $clientId = $script:GraphMailConfig.ClientId
    $header = @{ alg = 'RS256'; typ = 'JWT'; x5t = (ConvertTo-GraphMailBase64Url -Bytes $Certificate.GetCertHash()) }
    $claims = @{ aud = $tokenUrl; iss = $clientId; sub = $clientId; jti = [guid]::NewGuid().ToString(); nbf = $now; iat = $now; exp = ($now + 600) }
    $headerJson = ConvertTo-Json -InputObject $header -Compress
    $claimsJson = ConvertTo-Json -InputObject $claims -Compress
    $unsigned = (ConvertTo-GraphMailBase64Url -Bytes ([System.Text.Encoding]::UTF8.GetBytes($headerJson))) + '.' + (ConvertTo-GraphMailBase64Url -Bytes ([System.Text.Encoding]::UTF8.GetBytes($claimsJson)))
    # GetRSAPrivateKey works on .NET Framework 4.6+ (Windows PowerShell 5.1) and .NET (PowerShell 7), for CNG and CSP keys.
    $rsa = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($Certificate)
    if ($null -eq $rsa) { throw (New-GraphMailException ('The certificate ' + $Certificate.Thumbprint + ' has no RSA private key.')) }
    $signature = $rsa.SignData([System.Text.Encoding]::UTF8.GetBytes($unsigned), [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
    $assertion = $unsigned + '.' + (ConvertTo-GraphMailBase64Url -Bytes $signature)
    $form = @{
        client_id             = $clientId
        scope                 = $script:GraphMailConfig.GraphScope
        grant_type            = 'client_credentials'
        client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
        client_assertion      = $assertion
    }
    $answer = Invoke-GraphMailWithRetry -Request {
        Invoke-RestMethod -Method Post -Uri $tokenUrl -ContentType 'application/x-www-form-urlencoded' -Body $form
    }
    $script:GraphMailToken = @{ Value = $answer.access_token; Thumbprint = $Certificate.Thumbprint; ExpiresAt = ($now + [int]$answer.expires_in) }
    return $answer.access_token
}

function Format-GraphMailFailure {
    # Entra ID answers {error, error_description, error_codes}; Graph {error: {code, message}} with a
    # request-id header. Both are explained with the portal's table, Microsoft's own words kept for support.
    param($Failure, [string] $Sender)
    $code = ''
    $message = ''
    $aadsts = 0
    $json = $Failure.Json
    if ($null -ne $json -and $null -ne $json.PSObject.Properties['error_codes']) {
        $aadsts = [int](@($json.error_codes)[0])
        $code = [string]$json.error
        $message = [string]$json.error_description
    } elseif ($null -ne $json -and $null -ne $json.PSObject.Properties['error'] -and $null -ne $json.error.PSObject.Properties['code']) {
        $code = [string]$json.error.code
        $message = [string]$json.error.message
    }
    $explained = Resolve-GraphMailExplanation -Code $code -Message $message -Status $Failure.Status -Aadsts $aadsts -Sender $Sender
    $microsoft = 'HTTP ' + $Failure.Status
    if (-not [string]::IsNullOrEmpty($code)) { $microsoft += ' ' + $code }
    if (-not [string]::IsNullOrEmpty($message)) { $microsoft += ': ' + $message }
    if ($Failure.Status -eq 0) { $microsoft = $Failure.Message }
    if ($null -eq $explained) { return 'Microsoft refused the request (' + $microsoft + ').' }
    return $explained.Title + ': ' + $explained.Detail + ' What to do: ' + $explained.Action + ' (Microsoft: ' + $microsoft + ')'
}

function Send-GraphMailUpload {
    param($File, [string] $Graph, [string] $User, [string] $DraftId, [hashtable] $Auth)
    $item = @{ AttachmentItem = @{ attachmentType = 'file'; name = $File.Name; size = [long]$File.Size; contentType = $File.ContentType } }
    $itemJson = ConvertTo-Json -InputObject $item -Depth 5 -Compress
    $itemBytes = [System.Text.Encoding]::UTF8.GetBytes($itemJson)
    $session = Invoke-GraphMailWithRetry -OnlyThrottled -Request {
        Invoke-RestMethod -Method Post -Uri "$Graph/v1.0/users/$User/messages/$DraftId/attachments/createUploadSession" -Headers $Auth -ContentType 'application/json; charset=utf-8' -Body $itemBytes
    }
    $chunk = $script:GraphMailChunkBytes
    $stream = [System.IO.File]::OpenRead($File.Path)
    try {
        $buffer = New-Object byte[] $chunk
        $start = [long]0
        while ($start -lt $File.Size) {
            $read = 0
            while ($read -lt $chunk) {
                $n = $stream.Read($buffer, $read, $chunk - $read)
                if ($n -le 0) { break }
                $read += $n
            }
            if ($read -le 0) { break }
            $part = $buffer
            if ($read -lt $chunk) {
                $part = New-Object byte[] $read
                [Array]::Copy($buffer, $part, $read)
            }
            $end = $start + $read - 1
            # The upload URL is pre-authenticated: no Authorization header (Outlook refuses one).
            $range = @{ 'Content-Range' = ('bytes ' + $start + '-' + $end + '/' + $File.Size) }
            Invoke-GraphMailWithRetry -Request {
                Invoke-RestMethod -Method Put -Uri $session.uploadUrl -Headers $range -ContentType 'application/octet-stream' -Body $part
            } | Out-Null
            $start = $end + 1
        }
    } finally {
        $stream.Dispose()
    }
}

function Send-GraphMailViaGraph {
    param([hashtable] $Message, [object[]] $Files, [string] $Thumbprint, [string] $PfxPath, [object] $PfxPassword, [bool] $DeliveryReceipt)
    $certificate = Get-GraphMailCertificate -Thumbprint $Thumbprint -PfxPath $PfxPath -PfxPassword $PfxPassword
    $token = Get-GraphMailToken -Certificate $certificate
    $graph = $script:GraphMailConfig.GraphUrl
    $user = [Uri]::EscapeDataString($Message.from.emailAddress.address)
    $auth = @{ Authorization = 'Bearer ' + $token }
    if ($DeliveryReceipt) { $Message.isDeliveryReceiptRequested = $true }
    $posted = @()
    $large = @()
    foreach ($file in $Files) {
        $attachment = @{
            '@odata.type' = '#microsoft.graph.fileAttachment'
            name          = $file.Name
            contentType   = $file.ContentType
            contentBytes  = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($file.Path))
        }
        # A file whose attachment request fits in 4 MB is posted; a larger one goes through an upload session.
        if ($attachment.contentBytes.Length + 1000 -lt $script:GraphMailRequestLimit) { $posted += $attachment } else { $large += $file }
    }
    if ($large.Count -eq 0) {
        if ($posted.Count -gt 0) { $Message.attachments = $posted }
        $request = @{ message = $Message; saveToSentItems = $true }
        $json = ConvertTo-Json -InputObject $request -Depth 10 -Compress
        $payload = [System.Text.Encoding]::UTF8.GetBytes($json)
        if ($payload.Length -lt $script:GraphMailRequestLimit) {
            # 202 Accepted, empty body; bad recipients come back later as a non-delivery report.
            Invoke-GraphMailWithRetry -OnlyThrottled -Request {
                Invoke-RestMethod -Method Post -Uri "$graph/v1.0/users/$user/sendMail" -Headers $auth -ContentType 'application/json; charset=utf-8' -Body $payload
            } | Out-Null
            return
        }
        $Message.Remove('attachments')
    }
    # Too large for one request: a draft (the message itself, no "message" wrapper), its attachments, then send.
    $draftJson = ConvertTo-Json -InputObject $Message -Depth 10 -Compress
    $draftBytes = [System.Text.Encoding]::UTF8.GetBytes($draftJson)
    $draft = Invoke-GraphMailWithRetry -OnlyThrottled -Request {
        Invoke-RestMethod -Method Post -Uri "$graph/v1.0/users/$user/messages" -Headers $auth -ContentType 'application/json; charset=utf-8' -Body $draftBytes
    }
    try {
        foreach ($attachment in $posted) {
            $attachmentJson = ConvertTo-Json -InputObject $attachment -Compress
            $attachmentBytes = [System.Text.Encoding]::UTF8.GetBytes($attachmentJson)
            Invoke-GraphMailWithRetry -OnlyThrottled -Request {
                Invoke-RestMethod -Method Post -Uri "$graph/v1.0/users/$user/messages/$($draft.id)/attachments" -Headers $auth -ContentType 'application/json; charset=utf-8' -Body $attachmentBytes
            } | Out-Null
        }
        foreach ($file in $large) {
            Send-GraphMailUpload -File $file -Graph $graph -User $user -DraftId $draft.id -Auth $auth
        }
        # /send always saves a copy in Sent Items.
        Invoke-GraphMailWithRetry -OnlyThrottled -Request {
            Invoke-RestMethod -Method Post -Uri "$graph/v1.0/users/$user/messages/$($draft.id)/send" -Headers $auth -Body ''
        } | Out-Null
    } catch {
        $caught = $_
        # Leave no half-built draft in the sender's Drafts folder.
        try {
            Invoke-RestMethod -Method Delete -Uri "$graph/v1.0/users/$user/messages/$($draft.id)" -Headers $auth | Out-Null
        } catch {
            Write-Verbose ('Could not delete the draft: ' + $_.Exception.Message)
        }
        throw $caught
    }
}

function Resolve-GraphMailExplanation {
    # The same decisions as the portal's explainError (lib/graph/explain.ts), over the generated table.
    param([string] $Code, [string] $Message, [int] $Status, [int] $Aadsts, [string] $Sender)
    $key = $null
    if ($Aadsts -gt 0 -and $script:GraphMailErrors.ContainsKey('AADSTS' + $Aadsts)) { $key = 'AADSTS' + $Aadsts }
    elseif ($Code -eq 'BadRequest' -and $Message -match 'Maximum request length') { $key = 'BadRequest:MaximumRequestLength' }
    elseif ($Code -eq 'ErrorAccessDenied' -and $Message -match 'OData is disabled|RAOP|AccessPolicy') { $key = 'ErrorAccessDenied:Restricted' }
    elseif (-not [string]::IsNullOrEmpty($Code) -and $Code -ne 'BadRequest' -and $script:GraphMailErrors.ContainsKey($Code)) { $key = $Code }
    elseif ($script:GraphMailErrors.ContainsKey('HTTP' + $Status)) { $key = 'HTTP' + $Status }
    elseif ($Status -eq 429) { $key = 'ApplicationThrottled' }
    elseif ($Status -eq 413) { $key = 'RequestEntityTooLarge' }
    if ($null -eq $key) { return $null }
    $entry = $script:GraphMailErrors[$key]
    $who = "'" + $Sender + "'"
    if ([string]::IsNullOrEmpty($Sender)) { $who = 'this mailbox' }
    return New-Object PSObject -Property @{
        Title  = $entry.Title.Replace("'{{sender}}'", $who).Replace('{{sender}}', $who)
        Detail = $entry.Detail.Replace("'{{sender}}'", $who).Replace('{{sender}}', $who)
        Action = $entry.Action.Replace("'{{sender}}'", $who).Replace('{{sender}}', $who)
    }
}`;
