import { describe, expect, it } from 'vitest'
import {
  choiceOf,
  meetingCancelOf,
  meetingRequestOf,
  orderQuestionOf,
} from '../../../api/src/contacts/intents'
import { parseCsv, parseOrdersCsv } from '../../../api/src/contacts/csv'

describe('orderQuestionOf', () => {
  // Status questions (where, when, status, tracking, arrival, delay) and bare references, in the
  // seven languages: the order number they ask about.
  it.each([
    ['en', 'Where is my order 4512?', '4512'],
    ['en', 'When will order 4512 arrive?', '4512'],
    ['en', 'What is the status of order 4512?', '4512'],
    ['en', 'How do I track order 4512?', '4512'],
    ['en', 'Order 4512 is late', '4512'],
    ['en', "I haven't received order 4512", '4512'],
    ['en', 'order 4512?', '4512'],
    ['en', 'My order number is 4512', '4512'],
    ['en', 'Hello, order #4512 please', '4512'],
    ['en', "Where is my order? It's 4512", '4512'],
    ['fr', 'Où en est ma commande n°4512 ?', '4512'],
    ['fr', 'Quand vais-je recevoir ma commande 4512 ?', '4512'],
    ['fr', 'Statut de la commande 4512 ?', '4512'],
    ['fr', 'Ma commande 4512 est en retard', '4512'],
    ['fr', 'commande 4512', '4512'],
    ['es', '¿Dónde está mi pedido 4512?', '4512'],
    ['es', '¿Cuándo llega mi pedido 4512?', '4512'],
    ['es', 'Mi pedido 4512 está retrasado', '4512'],
    ['es', 'pedido nº 4512', '4512'],
    ['pt', 'Onde está a minha encomenda 4512?', '4512'],
    ['pt', 'Quando chega a encomenda 4512?', '4512'],
    ['pt', 'A encomenda 4512 está atrasada', '4512'],
    ['de', 'Wo ist meine Bestellung #A-1009?', 'A-1009'],
    ['de', 'Wann kommt meine Bestellung 4512?', '4512'],
    ['de', 'Status der Bestellung 4512', '4512'],
    ['de', 'Meine Bestellung 4512 ist verspätet', '4512'],
    ['de', 'Bestellung 4512', '4512'],
    ['it', "Dov'è il mio ordine 4512?", '4512'],
    ['it', 'Quando arriva il mio ordine 4512?', '4512'],
    ['it', "Stato dell'ordine 4512?", '4512'],
    ['it', 'ordine n. 4512', '4512'],
    ['nl', 'Waar is mijn bestelling 4512?', '4512'],
    ['nl', 'Wanneer komt bestelling 4512?', '4512'],
    ['nl', 'Mijn bestelling 4512 heeft vertraging', '4512'],
    ['nl', 'bestelling 4512', '4512'],
  ])('%s: %s -> %s', (_lang, text, id) => expect(orderQuestionOf(text)).toBe(id))

  // Doing something with an order (return, cancel, change, refund, exchange, invoice, pay) is for the
  // knowledge answer, "where" or "when" in the question or not; so is a message without an order number.
  it.each([
    ['en', 'How do I return order 4512?'],
    ['en', 'Can I change the address of order 4512?'],
    ['en', 'I want a refund for order 4512'],
    ['en', 'When will I get the refund for order 4512?'],
    ['en', 'Where can I find the invoice for order 4512?'],
    ['en', 'Can I pay order 4512 with PayPal?'],
    ['en', 'How do I exchange order 4512?'],
    ['en', 'Can I cancel order 4512?'],
    ['en', 'Shipping cost for order 4512?'],
    ['en', 'Where is my order?'],
    ['en', 'I have 3 questions about shipping to 75011'],
    ['en', 'I ordered 3 mugs on 12.05.2026'],
    ['fr', 'Comment annuler ma commande 4512 ?'],
    ['fr', 'Comment retourner la commande 4512 ?'],
    ['fr', "Puis-je modifier l'adresse de ma commande 4512 ?"],
    ['fr', 'Je veux être remboursé pour la commande 4512'],
    ['fr', 'Où trouver la facture de la commande 4512 ?'],
    ['fr', 'Quels sont les délais de livraison ?'],
    ['es', '¿Cómo devuelvo el pedido 4512?'],
    ['es', '¿Puedo cambiar la dirección del pedido 4512?'],
    ['es', '¿Cómo cancelo mi pedido 4512?'],
    ['es', 'Quiero un reembolso del pedido 4512'],
    ['es', '¿Dónde está la factura del pedido 4512?'],
    ['pt', 'Como devolvo a encomenda 4512?'],
    ['pt', 'Posso alterar o endereço da encomenda 4512?'],
    ['pt', 'Como cancelar a encomenda 4512?'],
    ['pt', 'Quero o reembolso da encomenda 4512'],
    ['pt', 'Onde está a fatura da encomenda 4512?'],
    ['de', 'Wie kann ich Bestellung 4512 zurücksenden?'],
    ['de', 'Kann ich die Adresse der Bestellung 4512 ändern?'],
    ['de', 'Wie storniere ich Bestellung 4512?'],
    ['de', 'Wann bekomme ich die Rückerstattung für Bestellung 4512?'],
    ['de', 'Wo finde ich die Rechnung zu Bestellung 4512?'],
    ['de', 'Wo ist meine Bestellung? Meine Telefonnummer ist 0612345678'],
    ['it', "Come restituisco l'ordine 4512?"],
    ['it', "Posso cambiare l'indirizzo dell'ordine 4512?"],
    ['it', "Come annullo l'ordine 4512?"],
    ['it', "Vorrei un rimborso per l'ordine 4512"],
    ['it', "Dov'è la fattura dell'ordine 4512?"],
    ['nl', 'Hoe retourneer ik bestelling 4512?'],
    ['nl', 'Kan ik het adres van bestelling 4512 wijzigen?'],
    ['nl', 'Hoe annuleer ik bestelling 4512?'],
    ['nl', 'Wanneer krijg ik mijn terugbetaling voor bestelling 4512?'],
    ['nl', 'Waar vind ik de factuur van bestelling 4512?'],
  ])('%s: %s -> not an order-status question', (_lang, text) => expect(orderQuestionOf(text)).toBeNull())
})

describe('meetings', () => {
  it.each([
    ['en', "I'd like to book a meeting"],
    ['en', 'Can I book an appointment?'],
    ['en', 'I would like to schedule a call'],
    ['en', 'a meeting?'],
    ['fr', 'je voudrais prendre rendez-vous'],
    ['fr', 'Bonjour, je voudrais prendre rendez-vous'],
    ['es', 'Quiero reservar una cita'],
    ['pt', 'Gostaria de marcar uma reunião'],
    ['de', 'Ich möchte einen Termin vereinbaren'],
    ['de', 'Termin'],
    ['it', 'Vorrei prenotare un appuntamento'],
    ['nl', 'Ik wil graag een afspraak maken'],
  ])('%s: %s is a meeting request', (_lang, text) => {
    expect(meetingRequestOf(text)).toBe(true)
    expect(meetingCancelOf(text)).toBe(false)
  })

  // A meeting word naming something else, "call" as a verb, or no asking at all.
  it.each([
    ['en', 'the meeting room is booked'],
    ['en', 'Can I book the meeting room?'],
    ['en', 'I want to call your store'],
    ['en', 'I want to try the demo version'],
    ['en', 'Call center hours?'],
    ['en', 'Is there a demo?'],
    ['en', 'How long does delivery take?'],
    ['en', 'Can I cancel my order?'],
    ['fr', 'Puis-je réserver la salle de réunion ?'],
    ['fr', 'Où est le point de rendez-vous ?'],
    ['fr', 'Annuler le rendez-vous'],
    ['es', 'Quiero reservar la sala de reuniones'],
    ['it', 'Vorrei prenotare la sala riunioni'],
  ])('%s: %s is not a meeting request', (_lang, text) => expect(meetingRequestOf(text)).toBe(false))

  // The widget's cancel button's label in each language, and what a visitor types.
  it.each([
    ['en', 'Cancel the meeting'],
    ['en', 'Please cancel my appointment if possible'],
    ['fr', 'Annuler le rendez-vous'],
    ['es', 'Cancelar la cita'],
    ['pt', 'Cancelar a reunião'],
    ['de', 'Termin stornieren'],
    ['it', 'Annulla l’appuntamento'],
    ['nl', 'Afspraak annuleren'],
  ])('%s: %s cancels a meeting', (_lang, text) => {
    expect(meetingCancelOf(text)).toBe(true)
    expect(meetingRequestOf(text)).toBe(false)
  })

  it.each([
    ['en', 'Can I cancel my order?'],
    ['en', 'Can I cancel my order? I had a call with you'],
    ['en', 'What happens if I cancel the meeting?'],
    ['fr', "Si j'annule le rendez-vous, suis-je remboursé ?"],
    ['fr', 'Comment annuler ma commande 4512 ?'],
    ['de', 'Wie storniere ich meine Bestellung nach unserem Termin?'],
  ])('%s: %s cancels no meeting', (_lang, text) => expect(meetingCancelOf(text)).toBe(false))

  it('reads a pick by number or label, and nothing else', () => {
    const labels = ['Tuesday 10:00', 'Tuesday 10:30']
    expect(choiceOf('2', labels)).toBe(1)
    expect(choiceOf('#1', labels)).toBe(0)
    expect(choiceOf('tuesday 10:30', labels)).toBe(1)
    expect(choiceOf('3', labels)).toBeNull()
    expect(choiceOf('Tuesday please', labels)).toBeNull()
  })
})

describe('orders CSV', () => {
  it('reads quoted fields with commas, doubled quotes and CRLF', () => {
    expect(parseCsv('a,"b, c","say ""hi"""\r\n1,2,3\r\n')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['1', '2', '3'],
    ])
  })

  it('groups item rows by order and names the line of a bad row', () => {
    const orders = parseOrdersCsv(
      'order_id,status,item_name,quantity,unit_price\n1,paid,A,2,1.5\n1,paid,B,1,"2,25"\n2,new,,,\n',
    )
    expect([...orders.keys()]).toEqual(['1', '2'])
    expect(orders.get('1')!.items).toEqual([
      { name: 'A', quantity: 2, unit_price: 1.5 },
      { name: 'B', quantity: 1, unit_price: 2.25 },
    ])
    expect(orders.get('2')!.items).toEqual([])
    expect(() => parseOrdersCsv('order_id,status,price\n1,paid,3\n')).toThrow(/unknown column "price"/)
    expect(() => parseOrdersCsv('order_id,status\n1,paid\n,paid\n')).toThrow(/line 3/)
  })
})
