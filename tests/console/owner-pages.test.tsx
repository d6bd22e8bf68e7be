import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { lineDiff } from '../../console/src/pages/bot/diff'
import { PersonaForm } from '../../console/src/pages/bot/persona-form'
import { PromptVersions } from '../../console/src/pages/bot/prompt-versions'
import { ChangePasswordForm } from '../../console/src/pages/public/forms'
import { InviteForm } from '../../console/src/pages/team'
import { fakeFetch } from './fake-api'

/** Form states of the owner pages: busy, the API's message under its field, success. */
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const bot = {
  id: 'b1',
  tenant_id: 't1',
  name: 'Lina',
  persona: 'Helpful.',
  persona_name: '',
  persona_objective: '',
  persona_personality: '',
  persona_style: '',
  persona_target_audience: '',
  model: null,
  temperature: 0.2,
  max_tokens: 600,
  status: 'active',
}
const invalid = (message: string) => ({
  status: 400,
  body: { error: { code: 'validation_failed', message } },
})

describe('lineDiff', () => {
  it('keeps common lines and marks what was removed and added, in order', () => {
    expect(lineDiff('a\nb\nc', 'a\nB\nc\nd')).toEqual([
      { kind: 'same', text: 'a' },
      { kind: 'del', text: 'b' },
      { kind: 'add', text: 'B' },
      { kind: 'same', text: 'c' },
      { kind: 'add', text: 'd' },
    ])
    expect(lineDiff('same', 'same')).toEqual([{ kind: 'same', text: 'same' }])
  })
})

describe('persona form', () => {
  it('shows the API message under its field, then saves', async () => {
    const calls = fakeFetch(({ method, body }) => {
      if (method !== 'PATCH') return undefined
      if ((body as any).model === 'bad name') return invalid('model: a model name like gpt-4o-mini')
      return { body: { bot: { ...bot, ...(body as object) } } }
    })
    const saved = vi.fn()
    render(<PersonaForm bot={bot} onSaved={saved} />)
    fireEvent.input(screen.getByLabelText(/^Model/), { target: { value: 'bad name' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    const message = await screen.findByText('a model name like gpt-4o-mini')
    expect(screen.getByLabelText(/^Model/).getAttribute('aria-invalid')).toBe('true')
    expect(screen.getByLabelText(/^Model/).getAttribute('aria-describedby')).toContain(message.id)
    expect(saved).not.toHaveBeenCalled()

    fireEvent.input(screen.getByLabelText(/^Model/), { target: { value: '' } })
    fireEvent.input(screen.getByLabelText('Writing style'), { target: { value: 'Short.' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save' }))
    await waitFor(() => expect(saved).toHaveBeenCalled())
    expect(calls.at(-1)!.body).toMatchObject({ model: null, persona_style: 'Short.', temperature: 0.2 })
    expect(screen.queryByText('a model name like gpt-4o-mini')).toBeNull()
  })
})

describe('prompt versions', () => {
  it('shows the default when there is no version, and rolls back with one click', async () => {
    const versions = [
      {
        id: 'p2',
        version: 2,
        content: 'two',
        description: 'newer',
        is_active: true,
        prompt_type: 'principal',
        bot_id: 'b1',
        created_at: '2026-11-30T00:00:00Z',
      },
      {
        id: 'p1',
        version: 1,
        content: 'one',
        description: 'first',
        is_active: false,
        prompt_type: 'principal',
        bot_id: 'b1',
        created_at: '2026-11-29T00:00:00Z',
      },
    ]
    const calls = fakeFetch(({ method, path }) => {
      if (path.startsWith('/v1/bots/b1/prompts?type=principal'))
        return {
          body: {
            prompts: versions,
            defaults: { principal: 'DEFAULT-P', think: 'DEFAULT-T', triagem: 'DEFAULT-G' },
          },
        }
      if (path.startsWith('/v1/bots/b1/prompts?type=think'))
        return {
          body: {
            prompts: [],
            defaults: { principal: 'DEFAULT-P', think: 'DEFAULT-T', triagem: 'DEFAULT-G' },
          },
        }
      if (method === 'POST' && path === '/v1/bots/b1/prompts/p1/activate') {
        versions[0]!.is_active = false
        versions[1]!.is_active = true
        return { body: { prompt: versions[1] } }
      }
      return undefined
    })
    const changed = vi.fn()
    render(<PromptVersions botId="b1" onChanged={changed} />)
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back to v1' }))
    await waitFor(() => expect(changed).toHaveBeenCalled())
    expect(calls.some((c) => c.path === '/v1/bots/b1/prompts/p1/activate')).toBe(true)
    await screen.findByRole('button', { name: 'Activate' })

    fireEvent.click(screen.getByRole('tab', { name: 'Query planning' }))
    await screen.findByText(/No version yet/)
    expect(screen.getAllByText('DEFAULT-T').length).toBeGreaterThan(0)
  })
})

describe('invite form', () => {
  it('shows the API message under the e-mail field, and hands over the link on success', async () => {
    fakeFetch(({ body }) =>
      (body as any).email === 'taken@shop.test'
        ? {
            status: 409,
            body: {
              error: {
                code: 'conflict',
                message: 'email: this address already has a pending invitation; resend it instead.',
              },
            },
          }
        : {
            status: 201,
            body: {
              invitation: { id: 'i1', email: (body as any).email, role: 'agent' },
              accept_url: 'http://x/#/accept-invitation?token=t',
              emailed: false,
            },
          },
    )
    const invited = vi.fn()
    render(<InviteForm tenantId="t1" onInvited={invited} />)
    fireEvent.input(screen.getByLabelText('E-mail'), { target: { value: 'taken@shop.test' } })
    fireEvent.submit(screen.getByRole('button', { name: 'Invite' }).closest('form')!)
    // A 409 is not a field error: it shows as the form's banner.
    expect((await screen.findByRole('alert')).textContent).toMatch(/already has a pending invitation/)
    fireEvent.input(screen.getByLabelText('E-mail'), { target: { value: 'new@shop.test' } })
    fireEvent.submit(screen.getByRole('button', { name: 'Invite' }).closest('form')!)
    await waitFor(() => expect(invited).toHaveBeenCalled())
    expect(invited.mock.calls[0]![0].accept_url).toContain('accept-invitation')
    expect((screen.getByLabelText('E-mail') as HTMLInputElement).value).toBe('')
  })
})

describe('change password form', () => {
  it('shows a wrong current password under that field, and clears the form on success', async () => {
    fakeFetch(({ body }) =>
      (body as any).current_password === 'wrong'
        ? {
            status: 400,
            body: {
              error: {
                code: 'wrong_password',
                message: 'current_password: this is not your current password.',
              },
            },
          }
        : { status: 204 },
    )
    const changed = vi.fn()
    render(<ChangePasswordForm onChanged={changed} />)
    fireEvent.input(screen.getByLabelText('Current password'), { target: { value: 'wrong' } })
    fireEvent.input(screen.getByLabelText('New password'), { target: { value: 'new password 1' } })
    fireEvent.submit(screen.getByRole('button', { name: 'Change password' }).closest('form')!)
    await screen.findByText('this is not your current password.')
    expect(screen.getByLabelText('Current password').getAttribute('aria-invalid')).toBe('true')
    fireEvent.input(screen.getByLabelText('Current password'), { target: { value: 'right' } })
    fireEvent.submit(screen.getByRole('button', { name: 'Change password' }).closest('form')!)
    await waitFor(() => expect(changed).toHaveBeenCalled())
    expect((screen.getByLabelText('New password') as HTMLInputElement).value).toBe('')
  })
})
