/** The tenant's bots as the options of a select (value: the bot's id). */
export function BotOptions({ bots }: { bots: readonly { id: string; name: string }[] }) {
  return (
    <>
      {bots.map((b) => (
        <option key={b.id} value={b.id}>
          {b.name}
        </option>
      ))}
    </>
  )
}
