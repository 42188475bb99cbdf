/** "Connect your clients": the Swift auth and storage URLs and commands to paste for swift, rclone and restic. */
import type { SetupStatus } from './api'

export function ConnectCard(props: { base: string; status: Pick<SetupStatus, 'admin'> }) {
  const auth = `${props.base}/auth/v1.0`
  const account = props.status.admin?.account ?? 'admin'
  const user = `${account}:${props.status.admin?.user ?? 'admin'}`
  const storage = `${props.base}/v1/AUTH_${account}`
  const ca = '--os-cacert velox.pem '
  const commands = [
    { name: 'swift', text: `swift ${ca}-A ${auth} -U ${user} -K 'YOUR-PASSWORD' stat` },
    { name: 'rclone', text: `rclone --ca-cert velox.pem lsd ":swift,auth='${auth}',user='${user}',key='YOUR-PASSWORD':"` },
    { name: 'restic', text: `ST_AUTH=${auth} ST_USER=${user} ST_KEY='YOUR-PASSWORD' restic --cacert velox.pem -r swift:backups:/ init` },
  ]
  return (
    <section className="card setup-card connect" aria-labelledby="connect-title">
      <h2 id="connect-title">Connect your clients</h2>
      <dl>
        <dt>Swift auth URL</dt>
        <dd><code>{auth}</code></dd>
        <dt>Storage URL</dt>
        <dd><code>{storage}</code></dd>
      </dl>
      <p className="muted small">
        With a self-signed certificate, save it as velox.pem (<a href="/api/admin/settings/certificate.pem" download="velox.pem">download</a>) and give it to each client as below.
      </p>
      {commands.map((c) => (
        <div key={c.name} className="command">
          <div className="command-head">
            <strong>{c.name}</strong>
            <button type="button" className="btn small" onClick={() => navigator.clipboard?.writeText(c.text)}>Copy</button>
          </div>
          <pre>{c.text}</pre>
        </div>
      ))}
    </section>
  )
}
