/**
 * Transport (a): the portal's REST API with a scoped key (POST /api/v1/messages, POST /api/v1/uploads,
 * GET /api/v1/messages/{id}; the contract is lib/api-v1/openapi.ts, which tests/unit/module-http-contract.test.ts
 * checks every request of this file against). Windows PowerShell 5.1 syntax only.
 */
export const apiTransportParameters = [
  `        # The portal's API key: this parameter, else $env:GRAPHMAIL_API_KEY, else the Windows Credential Manager or the file Save-GraphMailCredential -Name ApiKey wrote.
        [object] $ApiKey`,
  `        # Wait until the portal has handed the message to Microsoft (or failed), instead of returning once it is queued.
        [switch] $Wait`,
  `        [int] $WaitSeconds = 300`,
  `        # Return the portal's answer (the message id and status).
        [switch] $PassThru`,
];

export const apiSendCall = `            Send-GraphMailViaPortal -Message $message -Files $files -ApiKey $ApiKey -Wait:$Wait -WaitSeconds $WaitSeconds -PassThru:$PassThru -DeliveryReceipt $receipt`;

export const apiTransportHelp = `through the Graph Mail Portal's REST API with a scoped API key: the portal checks the key's
    mailboxes and limits, logs the message in its History and sends it through Microsoft Graph.
    Files of about 2.9 MB and more are uploaded first (POST /api/v1/uploads, up to 150 MB each).
    -Wait waits for the outcome and reports a failure with the portal's explanation.`;

export const apiHelpers = `# Attachments whose base64 fits the API's contentBytes limit (4,000,000 characters) travel inside the
# message; larger files are uploaded first and listed in attachmentIds.
$script:GraphMailInlineLimit = 2900000
# And together at most about 30 MB of files inside one request (the API takes 64 MB of JSON); the rest is uploaded.
$script:GraphMailInlineTotal = 30000000

function Format-GraphMailFailure {
    # The portal answers errors as RFC 9457 problem details (application/problem+json): title, detail and,
    # for invalid fields, errors (field and message). https://www.rfc-editor.org/rfc/rfc9457
    param($Failure, [string] $Sender)
    $problem = $Failure.Json
    if ($null -ne $problem -and $null -ne $problem.PSObject.Properties['detail']) {
        $text = 'The portal refused the message (' + $Failure.Status + ' ' + $problem.title + '): ' + $problem.detail
        if ($null -ne $problem.PSObject.Properties['errors']) {
            foreach ($item in @($problem.errors)) { $text += [Environment]::NewLine + '  ' + $item.field + ': ' + $item.message }
        }
        if ($Failure.Status -eq 401) {
            $text += [Environment]::NewLine + 'Check the API key: -ApiKey, the GRAPHMAIL_API_KEY environment variable, or the Windows Credential Manager entry Save-GraphMailCredential -Name ApiKey wrote (for the account that runs the script).'
        }
        return $text
    }
    if ($Failure.Status -eq 0) { return 'Could not reach the portal at ' + $script:GraphMailConfig.PortalUrl + ': ' + $Failure.Message }
    return 'The portal answered HTTP ' + $Failure.Status + ': ' + $Failure.Message
}

function Send-GraphMailViaPortal {
    param([hashtable] $Message, [object[]] $Files, [object] $ApiKey, [switch] $Wait, [int] $WaitSeconds, [switch] $PassThru, [bool] $DeliveryReceipt)
    $key = Get-GraphMailSecret -Value $ApiKey -Variable 'GRAPHMAIL_API_KEY' -Name 'ApiKey'
    if ([string]::IsNullOrEmpty($key)) {
        throw (New-GraphMailException 'No API key: give -ApiKey, set the GRAPHMAIL_API_KEY environment variable, or run Save-GraphMailCredential -Name ApiKey once as the account that runs this script.')
    }
    if ($DeliveryReceipt) {
        Write-Warning 'The portal does not ask for delivery receipts: -DeliveryNotificationOption OnSuccess/Delay is ignored (Exchange still sends a non-delivery report to the sender when delivery fails).'
    }
    $portal = $script:GraphMailConfig.PortalUrl
    $auth = @{ Authorization = 'Bearer ' + $key }
    $inline = @()
    $inlineBytes = [long]0
    $uploaded = @()
    foreach ($file in $Files) {
        if ($file.Size -lt $script:GraphMailInlineLimit -and ($inlineBytes + $file.Size) -lt $script:GraphMailInlineTotal) {
            $inlineBytes += $file.Size
            $inline += @{
                '@odata.type' = '#microsoft.graph.fileAttachment'
                name          = $file.Name
                contentType   = $file.ContentType
                contentBytes  = [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($file.Path))
            }
        } else {
            # Streamed from disk (up to 150 MB); the answer's id goes into attachmentIds.
            $upload = Invoke-GraphMailWithRetry -Request {
                Invoke-RestMethod -Method Post -Uri "$portal/api/v1/uploads?name=$([Uri]::EscapeDataString($file.Name))" -Headers $auth -ContentType 'application/octet-stream' -InFile $file.Path
            }
            $uploaded += [string]$upload.id
        }
    }
    if ($inline.Count -gt 0) { $Message.attachments = $inline }
    if ($uploaded.Count -gt 0) { $Message.attachmentIds = $uploaded }
    $Message.saveToSentItems = $true
    # One Idempotency-Key for every try of this message: the portal never queues it twice.
    $headers = @{
        Authorization     = 'Bearer ' + $key
        'Idempotency-Key' = [guid]::NewGuid().ToString()
    }
    $json = ConvertTo-Json -InputObject $Message -Depth 10 -Compress
    $payload = [System.Text.Encoding]::UTF8.GetBytes($json)
    $accepted = Invoke-GraphMailWithRetry -Request {
        Invoke-RestMethod -Method Post -Uri "$portal/api/v1/messages" -Headers $headers -ContentType 'application/json; charset=utf-8' -Body $payload
    }
    Write-Verbose ('Queued as ' + $accepted.id + ' (' + $portal + $accepted.location + ')')
    if (-not $Wait) {
        if ($PassThru) { return $accepted }
        return
    }
    $pending = @('queued', 'sending', 'retrying')
    $deadline = (Get-Date).AddSeconds($WaitSeconds)
    $status = $accepted
    while ($pending -contains $status.status -and (Get-Date) -lt $deadline) {
        Start-Sleep -Seconds 2
        $status = Invoke-GraphMailWithRetry -Request {
            Invoke-RestMethod -Method Get -Uri "$portal/api/v1/messages/$($accepted.id)" -Headers $auth
        }
    }
    if ($status.status -eq 'failed') {
        $text = 'The message ' + $accepted.id + ' failed.'
        if ($null -ne $status.failure) { $text = $status.failure.title + ': ' + $status.failure.detail + ' What to do: ' + $status.failure.action + ' (message ' + $accepted.id + ')' }
        throw (New-GraphMailException $text)
    }
    if ($status.status -eq 'uncertain') {
        Write-Warning ('The message ' + $accepted.id + ' is uncertain: Microsoft did not answer after it was sent. Check it in the portal before sending it again.')
    } elseif ($pending -contains $status.status) {
        Write-Warning ('The message ' + $accepted.id + ' is still ' + $status.status + ' after ' + $WaitSeconds + ' s; the portal keeps trying.')
    }
    if ($PassThru) { return $status }
}`;
