/**
 * The API page's examples (browser-safe, pure): one message sent with curl, Windows PowerShell 5.1
 * (Invoke-RestMethod; TLS 1.2 switched on, since 5.1 on older Windows may offer only TLS 1.0, and the
 * body sent as UTF-8 bytes, since 5.1 sends strings as ISO-8859-1) and Python (requests). Each sends an
 * Idempotency-Key: a script that retries after a timeout reuses the same key and never sends twice.
 */
export interface ApiExample {
  id: "curl" | "powershell" | "python";
  title: string;
  filename: string;
  text: string;
}

const sample = { from: "hr@contoso.com", to: "new.user@contoso.com", subject: "Welcome to Contoso" };

export function apiExamples(portalUrl: string, s = sample): ApiExample[] {
  const base = portalUrl.replace(/\/+$/, "");
  const json = JSON.stringify({
    from: { emailAddress: { address: s.from } },
    subject: s.subject,
    body: { contentType: "HTML", content: "<p>Hello and welcome!</p>" },
    toRecipients: [{ emailAddress: { address: s.to } }],
  });
  return [
    {
      id: "curl",
      title: "curl",
      filename: "send-mail.sh",
      text: `# The key comes from the environment, never from the script file.
curl --fail-with-body -sS -X POST "${base}/api/v1/messages" \\
  -H "Authorization: Bearer $GMP_API_KEY" \\
  -H "Content-Type: application/json" \\
  -H "Idempotency-Key: $(cat /proc/sys/kernel/random/uuid 2>/dev/null || uuidgen)" \\
  --data '${json}'
# 202 {"id":"…","status":"queued","location":"/api/v1/messages/…"}; then:
# curl -sS -H "Authorization: Bearer $GMP_API_KEY" "${base}/api/v1/messages/<id>"
`,
    },
    {
      id: "powershell",
      title: "PowerShell (Invoke-RestMethod, Windows PowerShell 5.1 and PowerShell 7)",
      filename: "Send-Mail.ps1",
      text: `# Windows PowerShell 5.1 may offer only TLS 1.0 by default: ask for TLS 1.2.
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$headers = @{
    Authorization     = "Bearer $env:GMP_API_KEY"
    'Idempotency-Key' = [guid]::NewGuid().ToString()   # reuse the same value when you retry
}
$message = @{
    from         = @{ emailAddress = @{ address = '${s.from}' } }
    subject      = '${s.subject}'
    body         = @{ contentType = 'HTML'; content = '<p>Hello and welcome!</p>' }
    toRecipients = @(@{ emailAddress = @{ address = '${s.to}' } })
}
$json = ConvertTo-Json -InputObject $message -Depth 6
# Bytes, not a string: Windows PowerShell 5.1 would send a string as ISO-8859-1.
$body = [Text.Encoding]::UTF8.GetBytes($json)
try {
    $result = Invoke-RestMethod -Method Post -Uri '${base}/api/v1/messages' -Headers $headers -ContentType 'application/json; charset=utf-8' -Body $body
    "Queued: $($result.id)"
} catch {
    # Errors are application/problem+json: detail says why, errors names each field.
    $_.ErrorDetails.Message
    throw
}
`,
    },
    {
      id: "python",
      title: "Python (requests)",
      filename: "send_mail.py",
      text: `import os
import uuid

import requests

response = requests.post(
    "${base}/api/v1/messages",
    headers={
        "Authorization": f"Bearer {os.environ['GMP_API_KEY']}",
        "Idempotency-Key": str(uuid.uuid4()),  # reuse the same value when you retry
    },
    json=${json},
    timeout=30,
)
if response.status_code != 202:
    problem = response.json()  # application/problem+json
    raise SystemExit(f"{problem['title']}: {problem['detail']} {problem.get('errors', '')}")
print("Queued:", response.json()["id"])
`,
    },
  ];
}
