import { describe, expect, it } from 'vitest'
import {
  choiceOf,
  meetingCancelOf,
  meetingRequestOf,
  orderQuestionOf,
} from '../../../api/src/contacts/intents'
import { parseCsv, parseOrdersCsv } from '../../../api/src/contacts/csv'

describe('orderQuestionOf', () => {
  it.each([
    ['Where is my order 4512?', '4512'],
    ['Où en est ma commande n°4512 ?', '4512'],
    ['¿Dónde está mi pedido 4512?', '4512'],
    ['Onde está a minha encomenda 4512?', '4512'],
    ['Wo ist meine Bestellung #A-1009?', 'A-1009'],
    ["Dov'è il mio ordine 4512?", '4512'],
    ['Waar is mijn bestelling 4512?', '4512'],
  ])('%s -> %s', (text, id) => expect(orderQuestionOf(text)).toBe(id))

  it.each([
    'Where is my order?',
    'Quels sont les délais de livraison ?',
    'I have 3 questions about shipping to 75011',
  ])('%s -> not an order question', (text) => expect(orderQuestionOf(text)).toBeNull())
})

describe('meetings', () => {
  it.each([
    "I'd like to book a meeting",
    'je voudrais prendre rendez-vous',
    'Quiero reservar una cita',
    'Gostaria de marcar uma reunião',
    'Ich möchte einen Termin vereinbaren',
    'Vorrei prenotare un appuntamento',
    'Ik wil graag een afspraak maken',
  ])('%s is a meeting request', (text) => {
    expect(meetingRequestOf(text)).toBe(true)
    expect(meetingCancelOf(text)).toBe(false)
  })

  it('tells a cancellation from a request, and a shipping question from both', () => {
    expect(meetingCancelOf('Annuler le rendez-vous')).toBe(true)
    expect(meetingRequestOf('Annuler le rendez-vous')).toBe(false)
    expect(meetingRequestOf('How long does delivery take?')).toBe(false)
  })

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
