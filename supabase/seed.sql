-- The demo tenant "Ma Boutique": applied by `npm run demo` only, never in production. Idempotent.
-- Logins: owner@demo.local and agent@demo.local, password demo1234 (scrypt hash below).
insert into auth.users (id, email, encrypted_password, raw_user_meta_data) values
  ('00000000-0000-4000-8000-000000000001', 'owner@demo.local', 'scrypt$16384$8$1$LEgGgc7GF5Q8T1gaOnaAeg==$CJwq65IQkx6aRwx+FehyIlraA/mqq45O5sALRVo7FXw=', '{"name": "Camille (owner)"}'),
  ('00000000-0000-4000-8000-000000000002', 'agent@demo.local', 'scrypt$16384$8$1$LEgGgc7GF5Q8T1gaOnaAeg==$CJwq65IQkx6aRwx+FehyIlraA/mqq45O5sALRVo7FXw=', '{"name": "Alex"}')
on conflict (id) do nothing;

insert into public.tenants (id, name, slug, settings) values
  ('00000000-0000-4000-8000-0000000000a1', 'Ma Boutique', 'ma-boutique',
   '{"timezone": "Europe/Paris", "language": "fr", "escalation_email": "support@ma-boutique.example", "link_domains": ["ma-boutique.example"]}')
on conflict (id) do nothing;

insert into public.tenant_members (tenant_id, user_id, role, display_name, availability) values
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000001', 'owner', 'Camille', 'online'),
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-000000000002', 'agent', 'Alex', 'online')
on conflict do nothing;

insert into public.bots (id, tenant_id, name, persona) values
  ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000a1', 'Lina',
   'Assistante de Ma Boutique : chaleureuse, précise, brève. Répond en français ou en anglais selon le visiteur.')
on conflict (id) do nothing;

insert into public.widget_configs (tenant_id, bot_id, publishable_key, greeting, suggestions, language, theme) values
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-0000000000b1', 'pk_demo',
   'Bonjour ! Je suis Lina, l''assistante de Ma Boutique. Une question sur une commande, la livraison ou un retour ?',
   array['Quels sont les délais de livraison ?', 'Comment retourner un article ?', 'How do I get a refund?'],
   'auto', '{"primary_color": "#4f46e5", "position": "right"}')
on conflict (bot_id) do nothing;

with faq (n, language, question, answer) as (values
  (1, 'fr', 'Quels sont les délais de livraison ?', 'Nous livrons en France métropolitaine en 2 à 4 jours ouvrés avec Colissimo, et en 24 h avec l''option Express. Les commandes passées avant 13 h partent le jour même.'),
  (2, 'en', 'How long does delivery take?', 'We deliver within mainland France in 2 to 4 business days with Colissimo, or in 24 hours with the Express option. Orders placed before 1 pm ship the same day.'),
  (3, 'fr', 'Combien coûte la livraison ?', 'La livraison standard coûte 4,90 € et elle est offerte dès 60 € d''achat. La livraison Express coûte 9,90 €.'),
  (4, 'en', 'How much does shipping cost?', 'Standard shipping costs €4.90 and is free on orders over €60. Express shipping costs €9.90.'),
  (5, 'fr', 'Comment retourner un article ?', 'Vous avez 30 jours après réception pour retourner un article non porté, avec son étiquette. Demandez une étiquette de retour gratuite depuis votre compte, rubrique « Mes commandes ».'),
  (6, 'en', 'How do I return an item?', 'You have 30 days after delivery to return an unworn item with its tag. Request a free return label from your account, under "My orders".'),
  (7, 'fr', 'Quand serai-je remboursé ?', 'Le remboursement est effectué sur votre moyen de paiement d''origine sous 5 jours ouvrés après réception de votre retour dans notre entrepôt.'),
  (8, 'en', 'When will I get my refund?', 'Refunds go back to your original payment method within 5 business days after your return reaches our warehouse.'),
  (9, 'fr', 'Quels moyens de paiement acceptez-vous ?', 'Nous acceptons la carte bancaire (Visa, Mastercard, American Express), PayPal, Apple Pay et le paiement en 3 fois sans frais dès 100 €.'),
  (10, 'en', 'Which payment methods do you accept?', 'We accept credit and debit cards (Visa, Mastercard, American Express), PayPal, Apple Pay, and interest-free payment in 3 instalments from €100.'),
  (11, 'fr', 'Comment choisir ma taille ?', 'Chaque fiche produit a un guide des tailles. Nos vêtements taillent normalement ; entre deux tailles, prenez la plus grande. L''échange de taille est gratuit.'),
  (12, 'en', 'How do I choose my size?', 'Every product page has a size guide. Our clothes fit true to size; if you are between two sizes, take the larger one. Size exchanges are free.'),
  (13, 'fr', 'Quels sont vos horaires d''ouverture ?', 'Notre boutique de Lyon est ouverte du mardi au samedi de 10 h à 19 h. Le service client répond du lundi au vendredi de 9 h à 18 h.'),
  (14, 'en', 'What are your opening hours?', 'Our Lyon shop is open Tuesday to Saturday, 10 am to 7 pm. Customer service answers Monday to Friday, 9 am to 6 pm.'),
  (15, 'fr', 'Comment contacter le service client ?', 'Écrivez-nous ici dans le chat, par e-mail à support@ma-boutique.example ou par téléphone au 04 72 00 00 00 du lundi au vendredi de 9 h à 18 h.'),
  (16, 'en', 'How can I contact customer service?', 'Write to us here in the chat, by e-mail at support@ma-boutique.example, or by phone on +33 4 72 00 00 00, Monday to Friday, 9 am to 6 pm.'),
  (17, 'fr', 'Puis-je suivre ma commande ?', 'Oui : dès l''expédition, vous recevez un e-mail avec le numéro de suivi. Vous le retrouvez aussi dans votre compte, rubrique « Mes commandes ».'),
  (18, 'en', 'Can I track my order?', 'Yes: as soon as your order ships you receive an e-mail with the tracking number. You can also find it in your account under "My orders".')
), src as (
  insert into public.knowledge_sources (id, tenant_id, kind, title, body, language, url)
  select ('00000000-0000-4000-8000-' || lpad(to_hex(4096 + n), 12, '0'))::uuid, '00000000-0000-4000-8000-0000000000a1',
         'faq', question, answer, language, 'https://ma-boutique.example/faq#q' || n
    from faq
  on conflict (id) do nothing
  returning id, tenant_id, title, body, language
)
insert into public.knowledge_chunks (tenant_id, source_id, title, content, language)
select tenant_id, id, title, body, language from src;
