/**
 * The first-boot wizard: the setup code first (claiming the box), then one card per step
 * with Back, the server's message shown on the step when it refuses something, and the
 * summary's Finish, after which the "connect your clients" card and a link into the files
 * app (over HTTPS) end it. The step shown is always the server's: a reload resumes there.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react'
import { ApiError } from '../api/http'
import { back, claim, finish, restoreCsrf, setupStatus, STEP_TITLES, submitStep, type SetupStatus } from './api'
import { ConnectCard } from './connect-card'
import { AdminStep, IdentityStep, NetworkStep } from './steps-basic'
import { ClusterStep, DisksStep, HttpsStep, SummaryStep } from './steps-storage'
import './setup.css'

export interface StepProps {
  status: SetupStatus
  /** Sends the step's form; the server's refusal is shown on the step. */
  submit: (body: unknown) => Promise<void>
  busy: boolean
  /** The submit button's words ("Next" in the wizard, "Save" in the admin settings). */
  submitLabel?: string
}

export function SetupPage(props: { initial: SetupStatus }) {
  const [status, setStatus] = useState(props.initial)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<SetupStatus | null>(null)

  useEffect(() => {
    restoreCsrf().catch(() => undefined)
    if (location.pathname !== '/setup') history.replaceState(null, '', '/setup')
  }, [])

  const act = async (fn: () => Promise<SetupStatus>) => {
    setBusy(true)
    setError(null)
    try {
      const s = await fn()
      if (s.pending === false) setDone(s)
      else setStatus(s)
      window.scrollTo(0, 0)
    } catch (err) {
      // A claim that no longer holds (setup finished elsewhere, or the claim was lost): back to the code.
      const lost = status.claimed && err instanceof ApiError && err.status === 401
      setError(lost ? 'Enter the setup code again.' : (err as Error).message)
      if (lost) setStatus((await setupStatus().catch(() => null)) ?? status)
    } finally {
      setBusy(false)
    }
  }

  if (done) return <DonePage status={done} />
  if (!status.claimed) return <ClaimPage onClaim={(code) => act(() => claim(code))} error={error} busy={busy} />
  const step = status.step ?? 'admin'
  const steps = status.steps ?? Object.keys(STEP_TITLES)
  const index = steps.indexOf(step)
  const props2: StepProps = { status, busy, submit: (body) => act(() => submitStep(step, body)) }
  return (
    <Frame>
      <nav aria-label="Setup steps" className="setup-steps">
        <ol>
          {steps.map((s, i) => (
            <li key={s} className={i === index ? 'current' : i < index ? 'passed' : ''} aria-current={i === index ? 'step' : undefined}>
              <span className="setup-step-no">{i + 1}</span> {STEP_TITLES[s] ?? s}
            </li>
          ))}
        </ol>
      </nav>
      <section className="card setup-card" aria-labelledby="step-title">
        <h1 id="step-title">{STEP_TITLES[step]}</h1>
        {step === 'admin' && <AdminStep {...props2} />}
        {step === 'identity' && <IdentityStep {...props2} />}
        {step === 'network' && <NetworkStep {...props2} />}
        {step === 'disks' && <DisksStep {...props2} />}
        {step === 'cluster' && <ClusterStep {...props2} />}
        {step === 'https' && <HttpsStep {...props2} />}
        {step === 'summary' && <SummaryStep {...props2} submit={() => act(finish)} />}
        {error && <p className="error setup-error" role="alert">{error}</p>}
        {index > 0 && (
          <button type="button" className="btn btn-ghost setup-back" disabled={busy} onClick={() => act(back)}>
            ← Back
          </button>
        )}
      </section>
    </Frame>
  )
}

function Frame(props: { children: ReactNode }) {
  return (
    <div className="setup">
      <header className="setup-head">
        <span className="brand big"><span className="brand-mark" aria-hidden="true">V</span> Velox</span>
        <span className="muted">Appliance setup</span>
      </header>
      {props.children}
    </div>
  )
}

function ClaimPage(props: { onClaim: (code: string) => void; error: string | null; busy: boolean }) {
  const [code, setCode] = useState('')
  const submit = (e: FormEvent) => {
    e.preventDefault()
    props.onClaim(code)
  }
  return (
    <Frame>
      <form className="card setup-card" onSubmit={submit} aria-labelledby="claim-title">
        <h1 id="claim-title">Set up this appliance</h1>
        <p>To prove that this box is yours, enter the setup code shown on its console (a screen plugged into it, or the output of <code>velox serve --setup</code>).</p>
        <label>
          Setup code
          <input name="code" value={code} onChange={(e) => setCode(e.target.value)} placeholder="XXXX-XXXX-XXXX" autoComplete="one-time-code" autoCapitalize="characters" spellCheck={false} required autoFocus />
        </label>
        {props.error && <p className="error" role="alert">{props.error}</p>}
        <button className="btn btn-primary" type="submit" disabled={props.busy}>Continue</button>
      </form>
    </Frame>
  )
}

function DonePage(props: { status: SetupStatus }) {
  const https = props.status.httpsUrl ?? location.origin
  return (
    <Frame>
      <section className="card setup-card" aria-labelledby="done-title">
        <h1 id="done-title">Your appliance is ready</h1>
        <p>It now answers over HTTPS; plain HTTP redirects there. {props.status.https && <>Check that your browser shows this certificate fingerprint: <code className="fingerprint">{props.status.https.fingerprint256}</code></>}</p>
        <a className="btn btn-primary" href={`${https}/files/`}>Open your files</a>
      </section>
      <ConnectCard base={https} status={props.status} />
    </Frame>
  )
}
