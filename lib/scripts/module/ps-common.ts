/**
 * The transport-independent part of GraphMail.psm1: the Send-GraphMailMessage function with
 * Send-MailMessage's parameters, address and attachment handling, secrets, HTTP failures and the error
 * table lookup. Windows PowerShell 5.1 syntax only (tests/unit/module-ps51.test.ts refuses PowerShell 7
 * constructs); no value from the portal appears here (those are in the configuration block, quoted).
 *
 * Send-MailMessage's parameter metadata (names, positions, aliases, pipeline input) follows
 * https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/send-mailmessage
 */

export interface CommonPsOptions {
  /** Whether -From may be left out (a default sender was configured). */
  fromOptional: boolean;
  /** The transport's own parameters, placed after the common ones (each line ends without a comma). */
  transportParameters: string[];
  /** The statement that sends, given $message (a hashtable: from, subject …) and $files. */
  sendCall: string;
  /** One line for the help text: how this module sends. */
  transportHelp: string;
}

export function sendFunction(o: CommonPsOptions): string {
  const params = [
    `        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [string[]] $To`,
    `        [Parameter(Position = 1, ValueFromPipelineByPropertyName = $true)]
        [Alias('sub')]
        [string] $Subject`,
    `        [Parameter(Position = 2, ValueFromPipelineByPropertyName = $true)]
        [string] $Body`,
    `        # Accepted so existing calls keep working, and ignored: Graph needs no SMTP server (one warning).
        [Parameter(Position = 3, ValueFromPipelineByPropertyName = $true)]
        [Alias('ComputerName')]
        [string] $SmtpServer`,
    `        [Parameter(Mandatory = $${o.fromOptional ? "false" : "true"}, ValueFromPipelineByPropertyName = $true)]
        [string] $From`,
    `        [Parameter(ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('PsPath')]
        [string[]] $Attachments`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string[]] $Cc`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string[]] $Bcc`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [string[]] $ReplyTo`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('BAH')]
        [switch] $BodyAsHtml`,
    `        # Graph carries the message as Unicode JSON: any encoding name or System.Text.Encoding is accepted, none is needed.
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('BE')]
        [object] $Encoding`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [Alias('DNO')]
        [System.Net.Mail.DeliveryNotificationOptions] $DeliveryNotificationOption`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [System.Net.Mail.MailPriority] $Priority = [System.Net.Mail.MailPriority]::Normal`,
    `        # [object], not PSCredential: a user name given here must not prompt for a password in a scheduled task.
        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [object] $Credential`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [switch] $UseSsl`,
    `        [Parameter(ValueFromPipelineByPropertyName = $true)]
        [int] $Port`,
    ...o.transportParameters,
  ];
  return `function Send-GraphMailMessage {
    <#
    .SYNOPSIS
    Sends an email message through Microsoft Graph: a drop-in replacement for Send-MailMessage.

    .DESCRIPTION
    Takes the parameters of Send-MailMessage (-From -To -Cc -Bcc -Subject -Body -BodyAsHtml -Attachments
    -Priority -ReplyTo -Encoding -DeliveryNotificationOption, attachment paths from the pipeline) and sends
    the message ${o.transportHelp}
    -SmtpServer, -Port, -UseSsl and -Credential are accepted and ignored (one warning per session).
    Errors are written like Send-MailMessage's (non-terminating; use -ErrorAction Stop to catch them),
    explained in plain words: what happened and what to do.

    .EXAMPLE
    Send-GraphMailMessage -From 'reports@contoso.com' -To 'it@contoso.com' -Subject 'Nightly report' -Body '<p>Done</p>' -BodyAsHtml -Attachments '.\\report.csv'

    .LINK
    https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/send-mailmessage
    #>
    [CmdletBinding()]
    param(
${params.join(",\n")}
    )

    begin {
        $files = @()
        $ignored = @()
        foreach ($name in 'SmtpServer', 'Port', 'UseSsl', 'Credential') {
            if ($PSBoundParameters.ContainsKey($name)) { $ignored += "-$name" }
        }
        if ($ignored.Count -gt 0 -and -not $script:GraphMailWarned) {
            $script:GraphMailWarned = $true
            Write-Warning ('Send-GraphMailMessage ignores ' + ($ignored -join ', ') + ': the message goes through Microsoft Graph, not SMTP, and needs no SMTP server or SMTP credential.')
        }
    }

    process {
        foreach ($path in $Attachments) {
            if ([string]::IsNullOrEmpty($path)) { continue }
            $files += Resolve-GraphMailAttachment -Path $path
        }
    }

    end {
        try {
            if ([string]::IsNullOrEmpty($From)) { $From = $script:GraphMailConfig.DefaultFrom }
            if ([string]::IsNullOrEmpty($From)) { throw 'Give the sender with -From (a mailbox this module may send as).' }
            $sender = ConvertTo-GraphMailRecipient -Address @($From) -Parameter 'From'
            if ($sender.Count -ne 1) { throw '-From takes exactly one address.' }
            $message = @{
                from         = $sender[0]
                subject      = [string]$Subject
                body         = @{ contentType = 'Text'; content = [string]$Body }
                toRecipients = ConvertTo-GraphMailRecipient -Address $To -Parameter 'To'
                importance   = ConvertTo-GraphMailImportance -Priority $Priority
            }
            if ($BodyAsHtml) { $message.body.contentType = 'HTML' }
            if ($Cc) { $message.ccRecipients = ConvertTo-GraphMailRecipient -Address $Cc -Parameter 'Cc' }
            if ($Bcc) { $message.bccRecipients = ConvertTo-GraphMailRecipient -Address $Bcc -Parameter 'Bcc' }
            if ($ReplyTo) { $message.replyTo = ConvertTo-GraphMailRecipient -Address $ReplyTo -Parameter 'ReplyTo' }
            $receipt = Test-GraphMailDeliveryReceipt -Option $DeliveryNotificationOption
${o.sendCall}
        } catch {
            $PSCmdlet.WriteError((New-GraphMailErrorRecord -ErrorRecord $_ -Sender $From))
        }
    }
}`;
}

/** Helpers shared by both transports. */
export const commonHelpers = `# Windows PowerShell 5.1 may offer only TLS 1.0/1.1 by default; Microsoft 365 and the portal need TLS 1.2.
# https://learn.microsoft.com/troubleshoot/azure/active-directory/enable-support-tls-environment
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12

$script:GraphMailWarned = $false

function ConvertTo-GraphMailRecipient {
    # Send-MailMessage reads each value with .NET's MailAddressCollection ('Name <a@b.com>', several
    # addresses separated by commas): the same parser here keeps every existing -To/-Cc/-Bcc value working.
    param([string[]] $Address, [string] $Parameter)
    $list = @()
    foreach ($entry in $Address) {
        if ([string]::IsNullOrWhiteSpace($entry)) { continue }
        $parsed = New-Object System.Net.Mail.MailAddressCollection
        try {
            $parsed.Add($entry)
        } catch {
            throw ('-' + $Parameter + ': "' + $entry + '" is not an email address.')
        }
        foreach ($one in $parsed) {
            $email = @{ address = $one.Address }
            if (-not [string]::IsNullOrEmpty($one.DisplayName)) { $email.name = $one.DisplayName }
            $list += @{ emailAddress = $email }
        }
    }
    return ,$list
}

function ConvertTo-GraphMailImportance {
    # Send-MailMessage's -Priority (System.Net.Mail.MailPriority) becomes Graph's importance: low, normal, high.
    # https://learn.microsoft.com/graph/api/resources/message
    param([System.Net.Mail.MailPriority] $Priority)
    if ($Priority -eq [System.Net.Mail.MailPriority]::High) { return 'high' }
    if ($Priority -eq [System.Net.Mail.MailPriority]::Low) { return 'low' }
    return 'normal'
}

function Test-GraphMailDeliveryReceipt {
    # OnSuccess and Delay ask for a delivery receipt (Graph's isDeliveryReceiptRequested); OnFailure is what
    # Exchange always does (a non-delivery report to the sender); None and Never ask for nothing.
    param([System.Net.Mail.DeliveryNotificationOptions] $Option)
    $wanted = [System.Net.Mail.DeliveryNotificationOptions]::OnSuccess -bor [System.Net.Mail.DeliveryNotificationOptions]::Delay
    return (([int]$Option -band [int]$wanted) -ne 0)
}

function Resolve-GraphMailAttachment {
    # Relative paths are resolved against the current PowerShell location, as Send-MailMessage does.
    param([string] $Path)
    $resolved = Resolve-Path -LiteralPath $Path -ErrorAction Stop
    $full = $resolved.ProviderPath
    $info = Get-Item -LiteralPath $full -ErrorAction Stop
    if ($info.PSIsContainer) { throw ('-Attachments: "' + $Path + '" is a folder, not a file.') }
    return New-Object PSObject -Property @{ Path = $full; Name = $info.Name; Size = [long]$info.Length; ContentType = Get-GraphMailContentType -Name $info.Name }
}

function Get-GraphMailContentType {
    param([string] $Name)
    $types = @{ '.txt' = 'text/plain'; '.csv' = 'text/csv'; '.htm' = 'text/html'; '.html' = 'text/html'; '.xml' = 'application/xml'; '.json' = 'application/json'; '.pdf' = 'application/pdf'; '.zip' = 'application/zip'; '.png' = 'image/png'; '.jpg' = 'image/jpeg'; '.jpeg' = 'image/jpeg'; '.gif' = 'image/gif'; '.log' = 'text/plain'; '.xlsx' = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'; '.docx' = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' }
    $extension = [System.IO.Path]::GetExtension($Name).ToLowerInvariant()
    if ($types.ContainsKey($extension)) { return $types[$extension] }
    return 'application/octet-stream'
}

function ConvertTo-GraphMailJsonBytes {
    # Bytes, not a string: Windows PowerShell 5.1 would send a string body as ISO-8859-1.
    param($InputObject)
    $json = ConvertTo-Json -InputObject $InputObject -Depth 10 -Compress
    return ,([System.Text.Encoding]::UTF8.GetBytes($json))
}

function Get-GraphMailStorePath {
    # Secrets saved with Save-GraphMailCredential -Store File: Export-Clixml protects a PSCredential's password
    # with Windows DPAPI, readable only by the same Windows account on the same computer.
    # https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/export-clixml
    param([string] $Name)
    $root = $env:APPDATA
    if ([string]::IsNullOrEmpty($root)) { $root = $HOME }
    return (Join-Path (Join-Path $root 'GraphMail') ($script:GraphMailConfig.StoreName + '-' + $Name + '.xml'))
}

function Get-GraphMailCredentialTarget {
    # The generic credential's name in the Windows Credential Manager, per tenant and secret:
    # GraphMail/<tenant>/<name> (what cmdkey /generic: and Save-GraphMailCredential write).
    param([string] $Name)
    return ('GraphMail/' + $script:GraphMailConfig.StoreName + '/' + $Name)
}

function Initialize-GraphMailCredentialManager {
    # Windows PowerShell has no cmdlets for the Windows Credential Manager: CredReadW/CredWriteW from advapi32,
    # compiled once per session with Add-Type (C# 5, which both .NET Framework 4.x and .NET compile).
    # https://learn.microsoft.com/windows/win32/api/wincred/nf-wincred-credreadw
    # https://learn.microsoft.com/windows/win32/api/wincred/nf-wincred-credwritew
    if ([Environment]::OSVersion.Platform -ne [PlatformID]::Win32NT) { return $false }
    if ($null -ne ('GraphMail.CredentialManager' -as [type])) { return $true }
    Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
namespace GraphMail {
    public static class CredentialManager {
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        private struct Credential {
            public int Flags;
            public int Type;
            public string TargetName;
            public string Comment;
            public System.Runtime.InteropServices.ComTypes.FILETIME LastWritten;
            public int CredentialBlobSize;
            public IntPtr CredentialBlob;
            public int Persist;
            public int AttributeCount;
            public IntPtr Attributes;
            public string TargetAlias;
            public string UserName;
        }
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool CredReadW(string target, int type, int flags, out IntPtr credential);
        [DllImport("advapi32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern bool CredWriteW(ref Credential credential, int flags);
        [DllImport("advapi32.dll")]
        private static extern void CredFree(IntPtr buffer);
        // CRED_TYPE_GENERIC = 1; the secret is UTF-16, as cmdkey /generic: stores it.
        public static string Read(string target) {
            IntPtr found;
            if (!CredReadW(target, 1, 0, out found)) { return null; }
            try {
                Credential c = (Credential)Marshal.PtrToStructure(found, typeof(Credential));
                if (c.CredentialBlobSize <= 0 || c.CredentialBlob == IntPtr.Zero) { return null; }
                return Marshal.PtrToStringUni(c.CredentialBlob, c.CredentialBlobSize / 2);
            } finally {
                CredFree(found);
            }
        }
        // CRED_PERSIST_LOCAL_MACHINE = 2: kept for this account on this computer, across logons.
        public static void Write(string target, string userName, string secret) {
            byte[] blob = System.Text.Encoding.Unicode.GetBytes(secret);
            Credential c = new Credential();
            c.Type = 1;
            c.TargetName = target;
            c.UserName = userName;
            c.Persist = 2;
            c.CredentialBlobSize = blob.Length;
            c.CredentialBlob = Marshal.AllocHGlobal(blob.Length);
            try {
                Marshal.Copy(blob, 0, c.CredentialBlob, blob.Length);
                if (!CredWriteW(ref c, 0)) { throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error()); }
            } finally {
                Marshal.FreeHGlobal(c.CredentialBlob);
            }
        }
    }
}
'@
    return $true
}

function Save-GraphMailCredential {
    <#
    .SYNOPSIS
    Stores this module's secret for the current Windows account, so scripts need not carry it.

    .DESCRIPTION
    By default in the Windows Credential Manager (a generic credential named GraphMail/<tenant>/<Name>; the
    same as cmdkey /generic:GraphMail/<tenant>/<Name> /user:<Name> /pass). With -Store File, in a file
    protected with DPAPI under %APPDATA%\\GraphMail. Send-GraphMailMessage reads it when neither its parameter
    nor its environment variable is set. Run it once as the account that runs the scheduled task (for example
    with runas), since both stores belong to that account on that computer.

    .EXAMPLE
    Save-GraphMailCredential -Name ApiKey -Secret (Read-Host -AsSecureString 'API key')
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)]
        [ValidateSet('ApiKey', 'CertificateThumbprint', 'CertificatePassword')]
        [string] $Name,
        [Parameter(Mandatory = $true)]
        [System.Security.SecureString] $Secret,
        [ValidateSet('CredentialManager', 'File')]
        [string] $Store = 'CredentialManager'
    )
    $credential = New-Object System.Management.Automation.PSCredential -ArgumentList $Name, $Secret
    if ($Store -eq 'CredentialManager') {
        if (-not (Initialize-GraphMailCredentialManager)) { throw 'The Windows Credential Manager exists only on Windows: use -Store File or the environment variable.' }
        $target = Get-GraphMailCredentialTarget -Name $Name
        [GraphMail.CredentialManager]::Write($target, $Name, $credential.GetNetworkCredential().Password)
        Write-Verbose ('Saved in the Windows Credential Manager as ' + $target)
        return
    }
    $path = Get-GraphMailStorePath -Name $Name
    $folder = Split-Path -Parent $path
    if (-not (Test-Path -LiteralPath $folder)) { New-Item -ItemType Directory -Path $folder -Force | Out-Null }
    $credential | Export-Clixml -LiteralPath $path
    Write-Verbose ('Saved to ' + $path)
}

function Get-GraphMailSecret {
    # The order: the parameter, then the environment variable, then the Windows Credential Manager, then the
    # file Save-GraphMailCredential -Store File wrote. Never a value written into the module or a script.
    param([object] $Value, [string] $Variable, [string] $Name)
    if ($Value -is [System.Security.SecureString]) {
        return (New-Object System.Management.Automation.PSCredential -ArgumentList 'x', $Value).GetNetworkCredential().Password
    }
    if (-not [string]::IsNullOrEmpty([string]$Value)) { return [string]$Value }
    $fromEnvironment = [Environment]::GetEnvironmentVariable($Variable)
    if (-not [string]::IsNullOrEmpty($fromEnvironment)) { return $fromEnvironment }
    if (Initialize-GraphMailCredentialManager) {
        $fromStore = [GraphMail.CredentialManager]::Read((Get-GraphMailCredentialTarget -Name $Name))
        if (-not [string]::IsNullOrEmpty($fromStore)) { return $fromStore }
    }
    $path = Get-GraphMailStorePath -Name $Name
    if (Test-Path -LiteralPath $path) {
        return (Import-Clixml -LiteralPath $path).GetNetworkCredential().Password
    }
    return $null
}

function Get-GraphMailHttpFailure {
    # An Invoke-RestMethod error as status, body and Retry-After, on both engines: Windows PowerShell 5.1
    # throws a WebException (Response is an HttpWebResponse), PowerShell 7 an HttpResponseException
    # (Response is an HttpResponseMessage). Both put the response body in ErrorDetails.Message.
    param([System.Management.Automation.ErrorRecord] $ErrorRecord)
    $status = 0
    $body = $null
    $retryAfter = 0
    $response = $null
    if ($null -ne $ErrorRecord.Exception -and $null -ne $ErrorRecord.Exception.PSObject.Properties['Response']) {
        $response = $ErrorRecord.Exception.Response
    }
    if ($null -ne $response) {
        $status = [int]$response.StatusCode
        if ($response -is [System.Net.HttpWebResponse]) {
            $header = $response.Headers['Retry-After']
            $seconds = 0
            if ([int]::TryParse([string]$header, [ref]$seconds)) { $retryAfter = $seconds }
        } elseif ($null -ne $response.Headers -and $null -ne $response.Headers.RetryAfter -and $null -ne $response.Headers.RetryAfter.Delta) {
            $retryAfter = [int]$response.Headers.RetryAfter.Delta.TotalSeconds
        }
    }
    if ($null -ne $ErrorRecord.ErrorDetails -and -not [string]::IsNullOrEmpty($ErrorRecord.ErrorDetails.Message)) {
        $body = $ErrorRecord.ErrorDetails.Message
    } elseif ($response -is [System.Net.HttpWebResponse]) {
        try {
            $reader = New-Object System.IO.StreamReader -ArgumentList $response.GetResponseStream()
            $body = $reader.ReadToEnd()
        } catch {
            $body = $null
        }
    }
    $parsed = $null
    if (-not [string]::IsNullOrEmpty($body)) {
        try { $parsed = ConvertFrom-Json -InputObject $body } catch { $parsed = $null }
    }
    return New-Object PSObject -Property @{ Status = $status; Body = $body; Json = $parsed; RetryAfter = $retryAfter; Message = $ErrorRecord.Exception.Message }
}

function Invoke-GraphMailWithRetry {
    # Tries a request again after a refused connection, a 5xx or a 429 (waiting Retry-After when given).
    # The portal's POST carries the same Idempotency-Key on every try, so a retry never sends twice.
    # -OnlyThrottled: a request that sends or creates something without such a key (Graph's sendMail, a
    # draft) is tried again only after a 429, which Graph answers before doing anything; after a timeout
    # or a 5xx it may have been done already, so it is reported instead of repeated.
    param([scriptblock] $Request, [int] $Attempts = 4, [switch] $OnlyThrottled)
    $attempt = 0
    while ($true) {
        $attempt++
        try {
            return (& $Request)
        } catch {
            $caught = $_
            $failure = Get-GraphMailHttpFailure -ErrorRecord $caught
            $transient = ($failure.Status -eq 0) -or ($failure.Status -eq 429) -or ($failure.Status -ge 500)
            if ($OnlyThrottled) { $transient = ($failure.Status -eq 429) }
            if (-not $transient -or $attempt -ge $Attempts) { throw $caught }
            $wait = [math]::Pow(2, $attempt)
            if ($failure.RetryAfter -gt 0) { $wait = $failure.RetryAfter }
            Write-Verbose ('Retrying in ' + $wait + ' s: ' + $failure.Message)
            Start-Sleep -Seconds ([math]::Min($wait, 120))
        }
    }
}

function New-GraphMailErrorRecord {
    # One readable message per failure: the explanation, what to do, and Microsoft's or the portal's own words.
    param([System.Management.Automation.ErrorRecord] $ErrorRecord, [string] $Sender)
    $text = $ErrorRecord.Exception.Message
    if ($null -ne $ErrorRecord.Exception.PSObject.Properties['Response']) {
        $text = Format-GraphMailFailure -Failure (Get-GraphMailHttpFailure -ErrorRecord $ErrorRecord) -Sender $Sender
    }
    $exception = New-Object System.InvalidOperationException -ArgumentList $text, $ErrorRecord.Exception
    return New-Object System.Management.Automation.ErrorRecord -ArgumentList $exception, 'GraphMailSendFailed', ([System.Management.Automation.ErrorCategory]::InvalidOperation), $null
}

function New-GraphMailException {
    param([string] $Text)
    return New-Object System.InvalidOperationException -ArgumentList $Text
}`;
