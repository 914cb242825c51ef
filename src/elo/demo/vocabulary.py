"""Word lists the demo generator draws from: names, places, companies and job titles.

Brazil, Portugal, the United States and the United Kingdom, each with the cities, phone
prefixes, postal codes and company conventions of the country. UK phone numbers are in
the ranges Ofcom keeps for drama and US numbers in 555-0100..0199, so they reach nobody.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    name: str
    region: str
    postal: tuple[int, int]
    dial: tuple[str, ...]
    timezone: str
    weight: int = 1
    outward: tuple[str, ...] = ()


@dataclass(frozen=True)
class Names:
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]
    two_surnames: float


@dataclass(frozen=True)
class Country:
    code: str
    language: str
    culture: str
    tld: str
    weight: int
    cities: tuple[City, ...]
    streets: tuple[str, ...]
    stems: tuple[str, ...]
    sectors: tuple[tuple[str, str], ...]
    suffixes: tuple[tuple[str, int], ...]
    personal_domains: tuple[str, ...]
    address_label: str


NAMES = {
    "br": Names(
        female=(
            "Ana", "Maria", "Juliana", "Fernanda", "Camila", "Beatriz", "Larissa", "Patrícia",
            "Aline", "Mariana", "Gabriela", "Letícia", "Amanda", "Bruna", "Carolina", "Vanessa",
            "Renata", "Luana", "Daniela", "Tatiane", "Ana Paula", "Maria Eduarda", "Ana Clara",
            "Isabela", "Júlia", "Vitória", "Rafaela", "Natália", "Priscila", "Débora", "Simone",
            "Cláudia", "Adriana", "Luciana", "Raquel", "Sabrina", "Thaís", "Yasmin", "Lívia",
            "Heloísa",
        ),
        male=(
            "João", "Pedro", "Lucas", "Gabriel", "Matheus", "Rafael", "Gustavo", "Felipe",
            "Bruno", "Thiago", "Rodrigo", "Leonardo", "Eduardo", "Marcelo", "Carlos", "Paulo",
            "André", "Ricardo", "Fernando", "Diego", "Vinícius", "Daniel", "Guilherme",
            "Henrique", "Luiz Felipe", "João Pedro", "José", "Antônio", "Francisco", "Márcio",
            "Sérgio", "Fábio", "Renato", "Caio", "Igor", "Murilo", "Otávio", "Arthur", "Davi",
            "Enzo",
        ),
        surnames=(
            "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira",
            "Lima", "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes",
            "Soares", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Nascimento", "Andrade",
            "Moreira", "Nunes", "Marques", "Machado", "Mendes", "Freitas", "Cardoso", "Ramos",
            "Gonçalves", "Santana", "Teixeira", "Araújo", "Cavalcanti", "Monteiro", "Moura",
            "Correia", "Batista", "Pinto", "Campos", "Azevedo", "Cunha", "Duarte", "Farias",
            "Castro", "Medeiros", "Siqueira", "Bezerra", "Tavares", "Nogueira", "Xavier",
            "Sampaio", "Prado", "Rezende", "Fonseca", "Brandão", "Queiroz",
        ),
        two_surnames=0.45,
    ),
    "pt": Names(
        female=(
            "Maria", "Ana", "Inês", "Beatriz", "Leonor", "Matilde", "Mariana", "Carolina",
            "Joana", "Sofia", "Margarida", "Rita", "Catarina", "Francisca", "Teresa", "Marta",
            "Sara", "Filipa", "Raquel", "Helena", "Patrícia", "Sónia", "Cláudia", "Susana",
            "Vera", "Diana", "Carla", "Madalena", "Luísa", "Andreia",
        ),
        male=(
            "João", "Tiago", "Rui", "Nuno", "Duarte", "Francisco", "Rodrigo", "Afonso", "Tomás",
            "Diogo", "Gonçalo", "Miguel", "Pedro", "Bernardo", "Martim", "Guilherme", "Ricardo",
            "Paulo", "Luís", "Hugo", "Bruno", "Sérgio", "Filipe", "Vasco", "André", "Jorge",
            "Manuel", "António", "José", "Henrique",
        ),
        surnames=(
            "Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
            "Martins", "Jesus", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques",
            "Alves", "Almeida", "Ribeiro", "Pinto", "Carvalho", "Teixeira", "Moreira",
            "Correia", "Mendes", "Nunes", "Soares", "Vieira", "Monteiro", "Cardoso", "Rocha",
            "Raposo", "Neves", "Coelho", "Cruz", "Cunha", "Pires", "Ramos", "Reis", "Simões",
            "Antunes", "Matos", "Fonseca", "Machado", "Araújo", "Barbosa", "Tavares",
            "Lourenço", "Castro", "Figueiredo", "Azevedo", "Freitas", "Baptista", "Magalhães",
            "Sequeira", "Quintas", "Brito", "Valente", "Loureiro",
        ),
        two_surnames=0.6,
    ),
    "en": Names(
        female=(
            "Emma", "Olivia", "Sophie", "Charlotte", "Amelia", "Emily", "Sarah", "Jessica",
            "Hannah", "Laura", "Grace", "Chloe", "Lucy", "Rachel", "Megan", "Jennifer", "Ashley",
            "Samantha", "Elizabeth", "Katherine", "Natalie", "Rebecca", "Victoria", "Abigail",
            "Madison", "Lauren", "Alice", "Isla", "Eleanor", "Zoe",
        ),
        male=(
            "James", "Oliver", "Jack", "Harry", "Michael", "David", "Daniel", "Thomas",
            "Robert", "William", "Matthew", "Christopher", "Andrew", "Joseph", "Ryan",
            "Benjamin", "Samuel", "George", "Henry", "Ethan", "Jacob", "Noah", "Liam",
            "Alexander", "Nathan", "Owen", "Connor", "Tyler", "Brandon", "Kevin",
        ),
        surnames=(
            "Smith", "Johnson", "Williams", "Brown", "Jones", "Taylor", "Davies", "Evans",
            "Wilson", "Thomas", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White",
            "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Jackson",
            "Miller", "Davis", "Garcia", "Martinez", "Anderson", "Moore", "Lee", "Clark",
            "Lewis", "Young", "Allen", "King", "Scott", "Baker", "Adams", "Nelson", "Carter",
            "Mitchell", "Turner", "Parker", "Collins", "Cooper", "Murphy", "Bennett", "Patel",
            "Nguyen", "Kim", "O'Brien", "Sullivan", "Reed", "Hayes", "Foster",
        ),
        two_surnames=0.0,
    ),
}  # fmt: skip

_PT_SECTORS = (
    ("{stem} Têxteis", "Textiles"),
    ("Cortiças {stem}", "Cork products"),
    ("{stem} Logística", "Logistics"),
    ("Vinhos {stem}", "Wine"),
    ("{stem} Software", "Software"),
    ("{stem} Consultores", "Consulting"),
    ("Construções {stem}", "Construction"),
    ("Conservas {stem}", "Food & beverage"),
    ("{stem} Turismo", "Travel"),
    ("Farmácia {stem}", "Retail"),
    ("{stem} Energia", "Energy"),
    ("Calçado {stem}", "Footwear"),
    ("{stem} Mobiliário", "Furniture"),
    ("Clínica {stem}", "Healthcare"),
    ("{stem} Engenharia", "Engineering"),
    ("Metalúrgica {stem}", "Manufacturing"),
    ("{stem} Imobiliária", "Real estate"),
    ("Transportes {stem}", "Logistics"),
)

_EN_SECTORS = (
    ("{stem} Foods", "Food & beverage"),
    ("{stem} Logistics", "Logistics"),
    ("{stem} Software", "Software"),
    ("{stem} Consulting", "Consulting"),
    ("{stem} Health", "Healthcare"),
    ("{stem} Energy", "Energy"),
    ("{stem} Manufacturing", "Manufacturing"),
    ("{stem} Realty", "Real estate"),
    ("{stem} Analytics", "Software"),
    ("{stem} Outfitters", "Retail"),
    ("{stem} Dental", "Healthcare"),
    ("{stem} Construction", "Construction"),
    ("{stem} Capital", "Financial services"),
    ("{stem} Media", "Media"),
    ("{stem} Learning", "Education"),
    ("{stem} Labs", "Biotechnology"),
    ("{stem} Engineering", "Engineering"),
)

COUNTRIES = {
    "BR": Country(
        code="BR",
        language="pt-br",
        culture="br",
        tld="com.br",
        weight=50,
        cities=(
            City("São Paulo", "SP", (1000, 5999), ("11",), "America/Sao_Paulo", 8),
            City("Campinas", "SP", (13010, 13099), ("19",), "America/Sao_Paulo", 2),
            City("Rio de Janeiro", "RJ", (20000, 23799), ("21",), "America/Sao_Paulo", 5),
            City("Belo Horizonte", "MG", (30110, 31999), ("31",), "America/Sao_Paulo", 3),
            City("Curitiba", "PR", (80010, 82999), ("41",), "America/Sao_Paulo", 3),
            City("Porto Alegre", "RS", (90010, 91999), ("51",), "America/Sao_Paulo", 3),
            City("Florianópolis", "SC", (88010, 88099), ("48",), "America/Sao_Paulo", 2),
            City("Salvador", "BA", (40010, 42499), ("71",), "America/Bahia", 2),
            City("Recife", "PE", (50010, 52999), ("81",), "America/Recife", 2),
            City("Fortaleza", "CE", (60010, 61599), ("85",), "America/Fortaleza", 2),
            City("Brasília", "DF", (70040, 73999), ("61",), "America/Sao_Paulo", 2),
            City("Goiânia", "GO", (74000, 74999), ("62",), "America/Sao_Paulo", 1),
            City("Manaus", "AM", (69000, 69099), ("92",), "America/Manaus", 1),
            City("Belém", "PA", (66000, 66999), ("91",), "America/Belem", 1),
            City("Vitória", "ES", (29000, 29099), ("27",), "America/Sao_Paulo", 1),
        ),
        streets=(
            "Avenida Paulista", "Rua Augusta", "Avenida Brasil", "Rua das Flores",
            "Rua XV de Novembro", "Rua Sete de Setembro", "Avenida Getúlio Vargas",
            "Rua Dom Pedro II", "Rua Tiradentes", "Avenida Rio Branco", "Rua Marechal Deodoro",
            "Rua Barão do Rio Branco", "Avenida Santos Dumont", "Rua São Bento",
            "Avenida das Nações Unidas", "Rua Voluntários da Pátria",
        ),
        stems=(
            "Aurora", "Ipê", "Jacarandá", "Horizonte", "Cruzeiro do Sul", "Serra Azul",
            "Rio Verde", "Bandeirantes", "Pampa", "Cerrado", "Guanabara", "Tupã", "Jatobá",
            "Araucária", "Sol Nascente", "Nova Era", "Boa Vista", "Estrela Guia", "Mar Aberto",
            "Vale Verde", "Pau-Brasil", "Piracema", "Potiguar", "Maracá", "Litoral", "Canário",
            "Sabiá", "Tucano", "Capivara", "Mandacaru", "Buriti", "Itapuã", "Alvorada",
            "Primavera", "Campo Belo", "Monte Alegre", "Chapada", "Paineira", "Pitanga",
            "Juriti",
        ),
        sectors=(
            ("{stem} Alimentos", "Food & beverage"),
            ("{stem} Logística", "Logistics"),
            ("Construtora {stem}", "Construction"),
            ("{stem} Tecnologia", "Software"),
            ("{stem} Consultoria", "Consulting"),
            ("{stem} Têxtil", "Textiles"),
            ("{stem} Agronegócios", "Agribusiness"),
            ("Clínica {stem}", "Healthcare"),
            ("Colégio {stem}", "Education"),
            ("{stem} Energia Solar", "Energy"),
            ("{stem} Móveis", "Furniture"),
            ("{stem} Cosméticos", "Cosmetics"),
            ("{stem} Turismo", "Travel"),
            ("{stem} Autopeças", "Automotive"),
            ("Laboratório {stem}", "Pharmaceuticals"),
            ("Distribuidora {stem}", "Wholesale"),
            ("Transportes {stem}", "Logistics"),
            ("{stem} Engenharia", "Engineering"),
            ("Supermercados {stem}", "Retail"),
            ("Contabilidade {stem}", "Accounting"),
        ),
        suffixes=((" Ltda", 60), (" S.A.", 12), (" ME", 6), ("", 22)),
        personal_domains=(
            "gmail.com", "gmail.com", "gmail.com", "hotmail.com", "outlook.com",
            "yahoo.com.br", "uol.com.br", "bol.com.br", "terra.com.br",
        ),
        address_label="Matriz",
    ),
    "PT": Country(
        code="PT",
        language="pt-pt",
        culture="pt",
        tld="pt",
        weight=25,
        cities=(
            City("Lisboa", "Lisboa", (1000, 1990), ("21",), "Europe/Lisbon", 6),
            City("Porto", "Porto", (4000, 4369), ("22",), "Europe/Lisbon", 5),
            City("Braga", "Braga", (4700, 4719), ("253",), "Europe/Lisbon", 2),
            City("Guimarães", "Braga", (4800, 4839), ("253",), "Europe/Lisbon", 1),
            City("Coimbra", "Coimbra", (3000, 3049), ("239",), "Europe/Lisbon", 2),
            City("Aveiro", "Aveiro", (3800, 3814), ("234",), "Europe/Lisbon", 2),
            City("Faro", "Faro", (8000, 8009), ("289",), "Europe/Lisbon", 1),
            City("Leiria", "Leiria", (2400, 2419), ("244",), "Europe/Lisbon", 1),
            City("Setúbal", "Setúbal", (2900, 2914), ("265",), "Europe/Lisbon", 1),
            City("Funchal", "Madeira", (9000, 9064), ("291",), "Atlantic/Madeira", 1),
            City("Évora", "Évora", (7000, 7009), ("266",), "Europe/Lisbon", 1),
            City("Viseu", "Viseu", (3500, 3519), ("232",), "Europe/Lisbon", 1),
        ),
        streets=(
            "Avenida da Liberdade", "Rua Augusta", "Rua de Santa Catarina", "Rua do Ouro",
            "Avenida dos Aliados", "Rua Direita", "Rua da Prata", "Avenida da República",
            "Rua de Cedofeita", "Avenida Almirante Reis", "Rua do Comércio",
            "Avenida 25 de Abril", "Rua Cândido dos Reis", "Largo do Município",
        ),
        stems=(
            "Tejo", "Douro", "Mondego", "Atlântico", "Lusitânia", "Alvor", "Sado", "Minho",
            "Serra da Estrela", "Arrábida", "Sintra", "Alfama", "Ribeira", "Marão", "Gerês",
            "Caravela", "Nau", "Infante", "Oceano", "Azulejo", "Cortiça", "Oliveira",
            "Amendoeira", "Farol", "Gaivota", "Bússola", "Lis", "Vouga", "Guadiana", "Côa",
        ),
        sectors=_PT_SECTORS,
        suffixes=((", Lda.", 65), (", S.A.", 18), (", Unipessoal Lda.", 10), ("", 7)),
        personal_domains=(
            "gmail.com", "gmail.com", "gmail.com", "hotmail.com", "sapo.pt", "outlook.pt",
            "live.com.pt",
        ),
        address_label="Sede",
    ),
    "US": Country(
        code="US",
        language="en",
        culture="en",
        tld="com",
        weight=13,
        cities=(
            City("New York", "NY", (10001, 10282), ("212", "646", "917"), "America/New_York", 4),
            City("Boston", "MA", (2108, 2137), ("617", "857"), "America/New_York", 2),
            City("Newark", "NJ", (7102, 7114), ("973", "862"), "America/New_York", 2),
            City("Miami", "FL", (33125, 33199), ("305", "786"), "America/New_York", 3),
            City("Orlando", "FL", (32801, 32839), ("407",), "America/New_York", 1),
            City("Chicago", "IL", (60601, 60661), ("312", "773"), "America/Chicago", 2),
            City("Austin", "TX", (78701, 78759), ("512",), "America/Chicago", 2),
            City("San Francisco", "CA", (94102, 94134), ("415",), "America/Los_Angeles", 2),
            City("Seattle", "WA", (98101, 98199), ("206",), "America/Los_Angeles", 1),
            City("Denver", "CO", (80202, 80239), ("303", "720"), "America/Denver", 1),
        ),
        streets=(
            "Main Street", "Market Street", "Washington Street", "Broadway", "Park Avenue",
            "Elm Street", "Oak Avenue", "Congress Avenue", "Pine Street", "Harbor Boulevard",
            "Maple Avenue", "Lincoln Avenue", "Madison Street", "Franklin Street",
        ),
        stems=(
            "Summit", "Harbor", "Bluebird", "Redwood", "Granite", "Pioneer", "Liberty",
            "Evergreen", "Northstar", "Clearwater", "Ironwood", "Lakeside", "Riverbend",
            "Silverline", "Brightpath", "Cedar", "Oakridge", "Keystone", "Bayview", "Crescent",
            "Heartland", "Sterling", "Beacon", "Prairie",
        ),
        sectors=_EN_SECTORS,
        suffixes=((" Inc.", 45), (" LLC", 35), (" Corp.", 8), ("", 12)),
        personal_domains=("gmail.com", "gmail.com", "yahoo.com", "outlook.com", "icloud.com"),
        address_label="Head office",
    ),
    "GB": Country(
        code="GB",
        language="en",
        culture="en",
        tld="co.uk",
        weight=12,
        cities=(
            City(
                "London", "Greater London", (0, 0), ("2079460",), "Europe/London", 5,
                ("EC1V", "EC2A", "N1", "SE1", "W1D", "E1", "WC2H", "NW1"),
            ),
            City(
                "Manchester", "Greater Manchester", (0, 0), ("1614960",), "Europe/London", 2,
                ("M1", "M2", "M3", "M4", "M15"),
            ),
            City(
                "Birmingham", "West Midlands", (0, 0), ("1214960",), "Europe/London", 2,
                ("B1", "B2", "B3", "B4", "B5"),
            ),
            City(
                "Leeds", "West Yorkshire", (0, 0), ("1134960",), "Europe/London", 1,
                ("LS1", "LS2", "LS6", "LS11"),
            ),
            City(
                "Bristol", "Bristol", (0, 0), ("1174960",), "Europe/London", 1,
                ("BS1", "BS2", "BS8"),
            ),
            City(
                "Edinburgh", "Scotland", (0, 0), ("1314960",), "Europe/London", 1,
                ("EH1", "EH2", "EH3", "EH6"),
            ),
            City(
                "Glasgow", "Scotland", (0, 0), ("1414960",), "Europe/London", 1,
                ("G1", "G2", "G3", "G12"),
            ),
        ),
        streets=(
            "High Street", "Station Road", "Church Street", "Victoria Road", "King Street",
            "Queen Street", "Mill Lane", "Park Road", "London Road", "George Street",
            "Castle Street", "Bridge Street",
        ),
        stems=(
            "Thames", "Pennine", "Windsor", "Kestrel", "Highland", "Hawthorn", "Ashford",
            "Bramley", "Foxglove", "Cotswold", "Mersey", "Severn", "Albion", "Heather",
            "Kingfisher", "Larchwood", "Oakham", "Wessex", "Northgate", "Millbrook",
        ),
        sectors=_EN_SECTORS,
        suffixes=((" Ltd", 70), (" plc", 8), (" LLP", 5), ("", 17)),
        personal_domains=(
            "gmail.com", "gmail.com", "hotmail.co.uk", "outlook.com", "btinternet.com",
        ),
        address_label="Head office",
    ),
}  # fmt: skip

UK_MOBILE_PREFIXES = (
    "7400", "7412", "7450", "7480", "7500", "7520", "7550", "7580", "7588", "7711",
    "7722", "7733", "7766", "7800", "7811", "7900", "7944", "7970",
)  # fmt: skip
PT_MOBILE_PREFIXES = ("91", "92", "93", "96")
UK_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# (masculine, feminine) per language, most senior first.
JOB_TITLES = {
    "pt-br": (
        ("CEO", "CEO"),
        ("Sócio-fundador", "Sócia-fundadora"),
        ("Diretor Comercial", "Diretora Comercial"),
        ("Diretor Financeiro", "Diretora Financeira"),
        ("Head de Vendas", "Head de Vendas"),
        ("Gerente de Compras", "Gerente de Compras"),
        ("Gerente de TI", "Gerente de TI"),
        ("Gerente de Operações", "Gerente de Operações"),
        ("Coordenador de Marketing", "Coordenadora de Marketing"),
        ("Coordenador de RH", "Coordenadora de RH"),
        ("Supervisor de Vendas", "Supervisora de Vendas"),
        ("Engenheiro de Produção", "Engenheira de Produção"),
        ("Contador", "Contadora"),
        ("Analista de Compras", "Analista de Compras"),
        ("Analista Financeiro", "Analista Financeira"),
        ("Comprador", "Compradora"),
        ("Assistente Administrativo", "Assistente Administrativa"),
    ),
    "pt-pt": (
        ("Diretor-Geral", "Diretora-Geral"),
        ("Sócio-gerente", "Sócia-gerente"),
        ("Administrador", "Administradora"),
        ("Diretor Comercial", "Diretora Comercial"),
        ("Diretor Financeiro", "Diretora Financeira"),
        ("Diretor de Marketing", "Diretora de Marketing"),
        ("Chefe de Vendas", "Chefe de Vendas"),
        ("Gestor de Compras", "Gestora de Compras"),
        ("Gestor de Operações", "Gestora de Operações"),
        ("Responsável de Informática", "Responsável de Informática"),
        ("Engenheiro de Produção", "Engenheira de Produção"),
        ("Contabilista Certificado", "Contabilista Certificada"),
        ("Técnico Comercial", "Técnica Comercial"),
        ("Técnico de Recursos Humanos", "Técnica de Recursos Humanos"),
        ("Assistente Administrativo", "Assistente Administrativa"),
    ),
    "en": tuple(
        (title, title)
        for title in (
            "CEO", "Founder", "CFO", "VP of Operations", "Head of Sales", "Finance Director",
            "Operations Director", "Sales Manager", "Marketing Manager", "IT Manager",
            "Purchasing Manager", "Product Manager", "Head of People", "Controller",
            "Account Manager", "Procurement Specialist", "Office Manager",
        )
    ),
}  # fmt: skip

SOURCES = (
    ("Website", 30),
    ("Referral", 15),
    ("Trade show", 10),
    ("LinkedIn", 15),
    ("Cold outreach", 12),
    ("Webinar", 10),
    ("Partner", 8),
)

SEGMENTS = ("SMB", "Mid-market", "Enterprise")
