/** What a visitor sends about a conversation. */

/** `POST /v1/sessions/:id/messages/:messageId/feedback` body. */
export interface FeedbackRequest {
  rating: 'up' | 'down'
  comment?: string
}

/** `POST /v1/sessions/:id/rating` body (CSAT, once resolved). */
export interface RatingRequest {
  score: number
  comment?: string
}

/** `POST /v1/sessions/:id/escalate` body. */
export interface EscalateRequest {
  reason?: string
}

/** `POST /v1/sessions/:id/typing` body (and the console's `.../typing`). */
export interface TypingRequest {
  typing: boolean
}
