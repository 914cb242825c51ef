"""Timeline wording for the demo, in Brazilian Portuguese, European Portuguese and English.

Placeholders: {first} (the contact's first name), {org} (their organization), {product},
{amount} and {me} (the first name of the user who wrote it). A template that names
{first} is used only for a person, one that names {org} only when there is an organization.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Texts:
    products: tuple[str, ...]
    notes: tuple[str, ...]
    note_subjects: tuple[str, ...]
    task_subjects: tuple[str, ...]
    task_bodies: tuple[str, ...]
    call_subjects: tuple[str, ...]
    call_bodies: tuple[str, ...]
    voicemail_bodies: tuple[str, ...]
    meeting_subjects: tuple[str, ...]
    meeting_bodies: tuple[str, ...]
    emails_out: tuple[tuple[str, str], ...]
    emails_in: tuple[tuple[str, str], ...]


TEXTS = {
    "pt-br": Texts(
        products=(
            "plano Essencial",
            "plano Profissional",
            "plano Empresarial",
            "pacote de implantação",
            "suporte premium",
        ),
        notes=(
            "Conversei com {first} sobre o {product}. Gostou da demonstração, mas quer ver o "
            "preço para 20 usuários antes de levar à diretoria.",
            "**Próximos passos**\n\n- enviar proposta revisada\n- agendar reunião com o "
            "financeiro\n- confirmar prazo de implantação",
            "{first} comentou que o contrato atual com o concorrente vence em três meses. Boa "
            "janela para apresentar o {product}.",
            "Cliente pediu desconto de 10% para fechar ainda este mês. Valor em discussão: "
            "{amount}.",
            "A {org} está passando por uma reestruturação; compras congeladas até o próximo "
            "trimestre.",
            "{first} indicou um contato na área de TI que pode acelerar a aprovação. Pedir "
            "apresentação por e-mail.",
            "Reclamação sobre atraso na emissão da nota fiscal. Encaminhado ao financeiro; "
            "{first} pediu retorno até sexta.",
            "Feedback muito positivo sobre o suporte. {first} topa gravar um depoimento para o "
            "site.",
            "Orçamento aprovado: {amount}. Falta só a assinatura do contrato pelo jurídico.",
            "Prefere contato por WhatsApp no período da tarde.",
            "Conta estratégica: a {org} tem filiais em três estados.",
            "A {org} abriu concorrência para um CRM; prazo de envio das propostas em 30 dias.",
            "Mudança de diretoria na {org}. Mapear os novos decisores.",
        ),
        note_subjects=("Resumo da conversa", "Observação", "Contexto da conta"),
        task_subjects=(
            "Enviar proposta para {first}",
            "Ligar para {first} (follow-up)",
            "Agendar demonstração do {product}",
            "Revisar contrato da {org}",
            "Enviar material sobre o {product}",
            "Confirmar reunião com {first}",
            "Cobrar retorno sobre a proposta",
            "Preparar apresentação para a {org}",
            "Atualizar dados cadastrais da {org}",
            "Enviar boleto e nota fiscal",
            "Pedir indicação a {first}",
            "Verificar status da implantação",
        ),
        task_bodies=(
            "Combinado na última conversa.",
            "Prioridade alta: o cliente está comparando com um concorrente.",
            "Ver as anotações anteriores antes de ligar.",
        ),
        call_subjects=(
            "Ligação de follow-up",
            "Ligação de prospecção",
            "Dúvida sobre a fatura",
            "Retorno sobre a proposta",
            "Ligação de boas-vindas",
            "Renovação do contrato",
            "Suporte: acesso ao sistema",
        ),
        call_bodies=(
            "{first} pediu mais detalhes sobre o {product}. Enviar material hoje.",
            "Conversa rápida; retornar na semana que vem.",
            "Negociamos o pagamento em 3 parcelas.",
            "Problema resolvido durante a ligação.",
            "Interesse confirmado. Valor estimado: {amount}.",
        ),
        voicemail_bodies=("Deixei recado pedindo retorno.",),
        meeting_subjects=(
            "Demonstração do {product}",
            "Reunião de kickoff com a {org}",
            "Apresentação da proposta",
            "Revisão trimestral de resultados",
            "Alinhamento da implantação",
            "Café com {first}",
            "Negociação do contrato",
        ),
        meeting_bodies=(
            "**Pauta**\n\n1. Objetivos do cliente\n2. Demonstração\n3. Próximos passos",
            "Levar a proposta impressa e um estudo de caso do setor.",
        ),
        emails_out=(
            (
                "Proposta comercial: {product}",
                "Olá {first},\n\nSegue em anexo a proposta para o {product}, no valor de "
                "{amount}.\n\nFico à disposição.\n\n{me}",
            ),
            (
                "Material da demonstração",
                "Oi {first}, obrigado pelo tempo hoje! Segue o material que apresentamos."
                "\n\nAbraço,\n{me}",
            ),
            (
                "Agendamento de reunião",
                "Olá {first}, podemos conversar na próxima terça às 10h?\n\n{me}",
            ),
            (
                "Renovação do contrato",
                "Olá {first}, o contrato da {org} vence no mês que vem. Podemos conversar sobre "
                "a renovação?\n\n{me}",
            ),
        ),
        emails_in=(
            (
                "Re: Proposta comercial",
                "Oi {me}, recebi a proposta. Vou apresentar para a diretoria e te dou um "
                "retorno.\n\n{first}",
            ),
            (
                "Dúvida sobre a nota fiscal",
                "Bom dia, a nota fiscal deste mês veio com o CNPJ errado. Podem corrigir?"
                "\n\n{first}",
            ),
            ("Re: Agendamento de reunião", "Terça às 10h funciona para mim.\n\n{first}"),
        ),
    ),
    "pt-pt": Texts(
        products=(
            "plano Essencial",
            "plano Profissional",
            "plano Empresarial",
            "pacote de implementação",
            "apoio premium",
        ),
        notes=(
            "Falei com {first} sobre o {product}. Gostou da demonstração, mas quer ver o preço "
            "para 20 utilizadores antes de levar à administração.",
            "**Próximos passos**\n\n- enviar proposta revista\n- marcar reunião com o "
            "departamento financeiro\n- confirmar prazo de implementação",
            "{first} referiu que o contrato atual com a concorrência termina daqui a três "
            "meses. Boa altura para apresentar o {product}.",
            "O cliente pediu 10% de desconto para fechar ainda este mês. Valor em discussão: "
            "{amount}.",
            "A {org} está em reestruturação; compras suspensas até ao próximo trimestre.",
            "{first} indicou um contacto na área de informática que pode acelerar a aprovação. "
            "Pedir apresentação por e-mail.",
            "Reclamação sobre atraso na emissão da fatura. Encaminhado para a contabilidade; "
            "{first} pediu resposta até sexta-feira.",
            "Feedback muito positivo sobre o apoio ao cliente. {first} aceita gravar um "
            "testemunho para o site.",
            "Orçamento aprovado: {amount}. Falta apenas a assinatura do contrato pelo "
            "departamento jurídico.",
            "Prefere ser contactado por telemóvel ao fim da tarde.",
            "Conta estratégica: a {org} tem delegações em várias cidades do país.",
            "A {org} abriu concurso para um CRM; prazo de entrega das propostas em 30 dias.",
            "Mudança de administração na {org}. Identificar os novos decisores.",
        ),
        note_subjects=("Resumo da conversa", "Observação", "Contexto da conta"),
        task_subjects=(
            "Enviar proposta a {first}",
            "Ligar a {first} (seguimento)",
            "Marcar demonstração do {product}",
            "Rever contrato da {org}",
            "Enviar documentação sobre o {product}",
            "Confirmar reunião com {first}",
            "Pedir resposta sobre a proposta",
            "Preparar apresentação para a {org}",
            "Atualizar dados de faturação da {org}",
            "Enviar fatura e referência Multibanco",
            "Pedir recomendação a {first}",
            "Verificar estado da implementação",
        ),
        task_bodies=(
            "Combinado na última conversa.",
            "Prioridade alta: o cliente está a comparar com a concorrência.",
            "Ver as notas anteriores antes de ligar.",
        ),
        call_subjects=(
            "Chamada de seguimento",
            "Chamada de prospeção",
            "Dúvida sobre a fatura",
            "Resposta à proposta",
            "Chamada de boas-vindas",
            "Renovação do contrato",
            "Apoio: acesso à plataforma",
        ),
        call_bodies=(
            "{first} pediu mais detalhes sobre o {product}. Enviar documentação hoje.",
            "Conversa rápida; voltar a ligar na próxima semana.",
            "Acordámos o pagamento em 3 prestações.",
            "Problema resolvido durante a chamada.",
            "Interesse confirmado. Valor estimado: {amount}.",
        ),
        voicemail_bodies=("Deixei mensagem a pedir que ligue de volta.",),
        meeting_subjects=(
            "Demonstração do {product}",
            "Reunião de arranque com a {org}",
            "Apresentação da proposta",
            "Revisão trimestral de resultados",
            "Ponto de situação da implementação",
            "Café com {first}",
            "Negociação do contrato",
        ),
        meeting_bodies=(
            "**Ordem de trabalhos**\n\n1. Objetivos do cliente\n2. Demonstração\n"
            "3. Próximos passos",
            "Levar a proposta impressa e um caso de estudo do setor.",
        ),
        emails_out=(
            (
                "Proposta comercial: {product}",
                "Olá {first},\n\nSegue em anexo a proposta para o {product}, no valor de "
                "{amount}.\n\nFico ao dispor.\n\n{me}",
            ),
            (
                "Documentação da demonstração",
                "Olá {first}, obrigado pelo tempo hoje! Envio a documentação que apresentámos."
                "\n\nCumprimentos,\n{me}",
            ),
            (
                "Marcação de reunião",
                "Olá {first}, podemos falar na próxima terça-feira às 10h?\n\n{me}",
            ),
            (
                "Renovação do contrato",
                "Olá {first}, o contrato da {org} termina no próximo mês. Podemos falar sobre a "
                "renovação?\n\n{me}",
            ),
        ),
        emails_in=(
            (
                "Re: Proposta comercial",
                "Olá {me}, recebi a proposta. Vou apresentá-la à administração e depois dou "
                "notícias.\n\n{first}",
            ),
            (
                "Dúvida sobre a fatura",
                "Bom dia, a fatura deste mês tem o NIF errado. Podem corrigir?\n\n{first}",
            ),
            ("Re: Marcação de reunião", "Terça-feira às 10h dá-me jeito.\n\n{first}"),
        ),
    ),
    "en": Texts(
        products=(
            "Essentials plan",
            "Professional plan",
            "Enterprise plan",
            "onboarding package",
            "premium support",
        ),
        notes=(
            "Spoke with {first} about the {product}. Liked the demo but wants pricing for 20 "
            "users before taking it to the board.",
            "**Next steps**\n\n- send the revised proposal\n- set up a call with finance\n"
            "- confirm the onboarding timeline",
            "{first} mentioned their contract with a competitor ends in three months. Good "
            "window to pitch the {product}.",
            "Customer asked for a 10% discount to sign this month. Amount on the table: {amount}.",
            "{org} is going through a reorganisation; purchasing is frozen until next quarter.",
            "{first} referred us to someone in IT who could speed up the approval. Ask for an "
            "intro by email.",
            "Complaint about a late invoice. Passed on to accounts; {first} wants an answer by "
            "Friday.",
            "Very positive feedback about support. {first} is happy to record a testimonial "
            "for the website.",
            "Budget approved: {amount}. Only waiting for legal to sign the contract.",
            "Prefers to be reached by phone in the late afternoon.",
            "Key account: {org} has offices in several cities.",
            "{org} opened a tender for a CRM; proposals are due in 30 days.",
            "New leadership at {org}. Map the new decision makers.",
        ),
        note_subjects=("Conversation summary", "FYI", "Account context"),
        task_subjects=(
            "Send proposal to {first}",
            "Follow-up call with {first}",
            "Book a demo of the {product}",
            "Review the {org} contract",
            "Send the {product} overview",
            "Confirm meeting with {first}",
            "Chase feedback on the proposal",
            "Prepare slides for {org}",
            "Update {org} billing details",
            "Send invoice and payment link",
            "Ask {first} for a referral",
            "Check onboarding status",
        ),
        task_bodies=(
            "Agreed on our last call.",
            "High priority: they are comparing us with a competitor.",
            "Read the earlier notes before calling.",
        ),
        call_subjects=(
            "Follow-up call",
            "Prospecting call",
            "Billing question",
            "Proposal feedback",
            "Welcome call",
            "Contract renewal",
            "Support: cannot sign in",
        ),
        call_bodies=(
            "{first} asked for more detail on the {product}. Send the overview today.",
            "Quick chat; call back next week.",
            "Agreed to split the payment into 3 instalments.",
            "Issue solved on the call.",
            "Interest confirmed. Estimated value: {amount}.",
        ),
        voicemail_bodies=("Left a message asking for a call back.",),
        meeting_subjects=(
            "Demo of the {product}",
            "Kickoff with {org}",
            "Proposal walkthrough",
            "Quarterly business review",
            "Onboarding check-in",
            "Coffee with {first}",
            "Contract negotiation",
        ),
        meeting_bodies=(
            "**Agenda**\n\n1. Customer goals\n2. Demo\n3. Next steps",
            "Bring a printed proposal and a case study from their industry.",
        ),
        emails_out=(
            (
                "Proposal: {product}",
                "Hi {first},\n\nPlease find attached our proposal for the {product}, at "
                "{amount}.\n\nHappy to answer any questions.\n\n{me}",
            ),
            (
                "Slides from today's demo",
                "Hi {first}, thanks for your time today! Here are the slides we went through."
                "\n\nBest,\n{me}",
            ),
            ("Meeting next week?", "Hi {first}, would Tuesday at 10am work for a call?\n\n{me}"),
            (
                "Contract renewal",
                "Hi {first}, the {org} contract is up for renewal next month. Shall we set up "
                "a call?\n\n{me}",
            ),
        ),
        emails_in=(
            (
                "Re: Proposal",
                "Hi {me}, got the proposal, thanks. I'll take it to the leadership team and get "
                "back to you.\n\n{first}",
            ),
            (
                "Invoice question",
                "Hello, this month's invoice shows the wrong billing address. Could you fix it?"
                "\n\n{first}",
            ),
            ("Re: Meeting next week?", "Tuesday at 10 works for me.\n\n{first}"),
        ),
    ),
}
