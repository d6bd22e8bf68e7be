import { useEffect, useState } from 'preact/hooks'
import type { ChatState, ChatStore } from './chat-store'

/** The store's current state; re-renders the component on every change. */
export function useChatState(store: ChatStore): ChatState {
  const [state, setState] = useState(store.state)
  useEffect(() => {
    setState(store.state)
    return store.subscribe(() => setState(store.state))
  }, [store])
  return state
}
