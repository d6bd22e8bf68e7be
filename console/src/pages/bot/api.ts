/** The Bot page's calls (persona, model, prompt versions, preview). */
import { request } from '../../api'

export type PromptType = 'principal' | 'triagem' | 'think'

export interface BotSettings {
  id: string
  tenant_id: string
  name: string
  persona: string
  persona_name: string
  persona_objective: string
  persona_personality: string
  persona_style: string
  persona_target_audience: string
  model: string | null
  temperature: number
  max_tokens: number
  status: string
}

export type BotPatch = Partial<Omit<BotSettings, 'id' | 'tenant_id' | 'status'>>

export interface PromptVersion {
  id: string
  bot_id: string
  prompt_type: PromptType
  version: number
  content: string
  description: string
  is_active: boolean
  created_at: string
}

export interface PromptPreview {
  system_prompt: string
  prompt_versions: Partial<Record<PromptType, number>>
  model: string | null
  temperature: number
  max_tokens: number
}

const b = (botId: string) => `/v1/bots/${encodeURIComponent(botId)}`

export const botApi = {
  bots: (tenantId: string) =>
    request<{ bots: BotSettings[] }>(`/v1/tenants/${encodeURIComponent(tenantId)}/bots`),
  update: (botId: string, patch: BotPatch) =>
    request<{ bot: BotSettings }>(b(botId), { method: 'PATCH', body: patch }),
  prompts: (botId: string, type: PromptType) =>
    request<{ prompts: PromptVersion[]; defaults: Record<PromptType, string> }>(
      `${b(botId)}/prompts?type=${type}`,
    ),
  createPrompt: (
    botId: string,
    body: { prompt_type: PromptType; content: string; description?: string; activate?: boolean },
  ) => request<{ prompt: PromptVersion }>(`${b(botId)}/prompts`, { body }),
  activate: (botId: string, id: string) =>
    request<{ prompt: PromptVersion }>(`${b(botId)}/prompts/${encodeURIComponent(id)}/activate`, {
      body: {},
    }),
  preview: (botId: string, language: string) =>
    request<PromptPreview>(`${b(botId)}/prompt-preview?language=${encodeURIComponent(language)}`),
}
