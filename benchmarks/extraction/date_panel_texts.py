"""The date panel's article texts: a headline and paragraphs per language, and teasers, none of them dated."""

# Headline and paragraphs per language; a page takes one in turn, so neighbouring cases read differently.
TEXTS: dict[str, list[tuple[str, list[str]]]] = {
    "en": [
        (
            "Delegation Leaves for Official Visit to Southeast Asia",
            [
                "A government delegation left the capital by air for an official visit to several "
                "countries of Southeast Asia, where it is to hold talks on trade, transport and cultural "
                "exchanges.",
                "The delegation is led by the minister of external economic relations and includes "
                "officials of the ministries of foreign trade and of land and marine transport.",
                "It was seen off at the airport by senior officials and by members of the diplomatic "
                "corps, who wished the visit success and called for closer cooperation in the years ahead.",
            ],
        ),
        (
            "Farms Step Up Preparations for Spring Sowing",
            [
                "Farms across the country are stepping up preparations for the spring sowing season, "
                "repairing machinery, carrying fertiliser to the fields and readying seedbeds for rice.",
                "Agricultural officials said the area prepared so far is larger than at the same stage of "
                "last season, thanks to new irrigation channels completed over the winter months.",
                "Scientists from the academy of agricultural science have been sent to the main "
                "grain-producing provinces to advise on seed selection and on protecting young plants from "
                "late frost.",
            ],
        ),
        (
            "Regional Trade Talks Resume After Long Pause",
            [
                "Negotiators from five countries met again to resume talks on a regional trade agreement, "
                "which stalled more than two years ago over tariffs on farm products and rules of origin.",
                "The chief negotiator said both sides had come with new proposals and that a framework "
                "text could be ready before the ministers meet again, though several chapters remain open.",
                "Business groups welcomed the restart and urged governments to settle the dispute over "
                "customs procedures, which they say costs exporters time and money at every border.",
            ],
        ),
    ],
    "ko": [
        (
            "대표단 동남아시아 공식방문길에 올라",
            [
                "정부 대표단이 동남아시아 여러 나라를 공식방문하기 위하여 비행기로 수도를 출발하였다. "
                "대표단은 방문기간 무역과 운수, 문화교류 문제를 놓고 회담을 진행하게 된다.",
                "대외경제상을 단장으로 하는 대표단에는 대외무역성과 륙해운성의 일군들이 망라되여있다. "
                "비행장에서 대표단을 책임일군들과 외교단 성원들이 환송하였다.",
                "환송자들은 방문이 성과적으로 진행되기를 바란다고 하면서 앞으로 여러 분야에서 협조를 더욱 "
                "강화해나갈 것을 호소하였다. 대표단은 귀국후 결과를 보고할 예정이다.",
            ],
        ),
        (
            "봄철 농사 준비 한창…각지 농장 들썩",
            [
                "전국 각지 농장들에서 봄철 파종을 앞두고 농기계를 수리하고 거름을 포전에 실어내며 모판을 "
                "마련하는 등 준비작업이 한창이다. 농업 부문 관계자들은 지금까지 준비된 면적이 지난해 같은 "
                "시기보다 넓다고 밝혔다.",
                "겨울 동안 완공된 새 관개수로 덕분에 물 걱정이 줄었다는 것이 현장의 설명이다. 농업과학원 "
                "연구사들은 주요 곡창지대에 파견되어 종자 선택과 늦서리 피해 예방 방법을 지도하고 있다.",
                "관계자는 올해 알곡 생산 목표를 달성하기 위해 모든 농장이 적기 파종에 힘을 모으고 있다고 "
                "덧붙였다.",
            ],
        ),
    ],
    "ru": [
        (
            "Правительственная делегация отправилась с официальным визитом",
            [
                "Правительственная делегация вылетела из столицы с официальным визитом в ряд стран "
                "Юго-Восточной Азии, где проведет переговоры о торговле, транспорте и культурных обменах.",
                "Делегацию возглавляет министр внешнеэкономических связей, в ее состав вошли представители "
                "министерств внешней торговли и транспорта.",
                "В аэропорту делегацию провожали высокопоставленные чиновники и члены дипломатического "
                "корпуса, которые пожелали визиту успеха и призвали к более тесному сотрудничеству.",
            ],
        ),
        (
            "В регионах завершается подготовка к посевной кампании",
            [
                "Хозяйства по всей стране завершают подготовку к весенней посевной: ремонтируют технику, "
                "вывозят удобрения на поля и готовят семенной фонд.",
                "По словам представителей отрасли, подготовленная площадь больше, чем на том же этапе "
                "прошлого сезона, благодаря новым оросительным каналам, построенным за зиму.",
                "Ученые аграрного научного центра направлены в основные зернопроизводящие регионы, чтобы "
                "консультировать по выбору семян и защите всходов от поздних заморозков.",
            ],
        ),
    ],
    "zh": [
        (
            "政府代表团启程出访东南亚多国",
            [
                "政府代表团乘飞机离开首都，启程对东南亚多个国家进行正式访问。访问期间，代表团将就贸易、交通"
                "运输和人文交流等议题同各方举行会谈，并签署多项合作文件。",
                "代表团由对外经济关系部部长率领，成员包括外贸部和交通运输部的官员。高级官员和外交使团成员到"
                "机场送行，祝愿访问取得圆满成功。",
                "分析人士认为，此访有助于进一步深化双方在基础设施建设和农业领域的务实合作，为地区经济发展注"
                "入新的动力。",
                "据悉，代表团还将参观当地的港口、工业园区和农业示范基地，并同当地企业界人士座谈，就扩大贸易"
                "往来和相互投资听取意见和建议。",
            ],
        ),
        (
            "各地春耕生产有序推进",
            [
                "眼下正值春耕备耕关键时期，全国各地农民抢抓农时，检修农机具，运送化肥下田，平整秧田，春耕生"
                "产有序推进。农业部门负责人表示，目前已完成备耕的面积比去年同期有所增加。",
                "冬季新建成的灌溉渠道缓解了部分地区的用水压力。农业科学院的专家被派往主要粮食产区，指导农民"
                "科学选种，预防晚霜对幼苗造成危害。",
                "有关负责人表示，将继续加强技术服务和农资保障，确保全年粮食生产目标顺利实现。",
                "在一些丘陵山区，当地还组织农技人员深入田间地头，帮助农户解决机械维修和种子调运中遇到的实际"
                "困难，受到群众欢迎。",
            ],
        ),
    ],
    "ja": [
        (
            "政府代表団が東南アジア歴訪へ出発",
            [
                "政府代表団が航空機で首都を出発し、東南アジア各国への公式訪問の途についた。代表団は訪問中、"
                "貿易や運輸、文化交流などをめぐり各国の政府関係者と会談を行う予定だ。",
                "代表団は対外経済関係相が団長を務め、外国貿易省や運輸省の当局者らで構成されている。空港では"
                "政府高官や各国の外交官らが一行を見送り、訪問の成功を祈った。",
                "専門家は、今回の訪問がインフラ整備や農業分野での協力拡大につながるとの見方を示しており、今"
                "後の交渉の行方が注目される。",
            ],
        ),
        (
            "各地で春の田植え準備進む",
            [
                "全国各地の農家で春の作付けに向けた準備が本格化している。農機具の点検や肥料の運び込み、苗床"
                "づくりなどの作業が急ピッチで進められている。農業団体によると、準備を終えた面積は前年の同じ"
                "時期を上回っている。",
                "冬の間に完成した新しい用水路により、水不足への懸念も和らいだという。農業研究機関の専門家が"
                "主な穀倉地帯に派遣され、種子の選び方や遅霜から苗を守る方法を指導している。",
                "関係者は、適期の作付けに向けて地域全体で取り組みを強めたいと話している。",
            ],
        ),
    ],
    "de": [
        (
            "Regierungsdelegation bricht zu offiziellem Besuch nach Südostasien auf",
            [
                "Eine Regierungsdelegation ist am Morgen zu einem offiziellen Besuch in mehrere Länder "
                "Südostasiens aufgebrochen, wo Gespräche über Handel, Verkehr und Kulturaustausch geplant "
                "sind.",
                "Geleitet wird die Delegation vom Minister für Außenwirtschaftsbeziehungen; ihr gehören "
                "Vertreter der Ministerien für Außenhandel und für Verkehr an.",
                "Am Flughafen wurde sie von hochrangigen Beamten und Mitgliedern des diplomatischen Korps "
                "verabschiedet, die dem Besuch Erfolg wünschten und eine engere Zusammenarbeit anmahnten.",
            ],
        ),
        (
            "Landwirte bereiten die Frühjahrsaussaat vor",
            [
                "Landwirte im ganzen Land bereiten sich auf die Frühjahrsaussaat vor: Maschinen werden "
                "repariert, Dünger auf die Felder gebracht und Saatbeete angelegt.",
                "Nach Angaben des Bauernverbands ist die vorbereitete Fläche größer als zum selben "
                "Zeitpunkt der vergangenen Saison, auch dank neuer Bewässerungskanäle, die im Winter "
                "fertig wurden.",
                "Fachleute landwirtschaftlicher Institute beraten in den wichtigsten Anbaugebieten bei der "
                "Wahl des Saatguts und beim Schutz junger Pflanzen vor Spätfrost.",
            ],
        ),
    ],
    "fr": [
        (
            "Une délégation gouvernementale part en visite officielle en Asie du Sud-Est",
            [
                "Une délégation gouvernementale a quitté la capitale par avion pour une visite officielle "
                "dans plusieurs pays d'Asie du Sud-Est, où des discussions sur le commerce, les transports "
                "et les échanges culturels sont prévues.",
                "Conduite par le ministre des Relations économiques extérieures, elle comprend des "
                "responsables des ministères du Commerce extérieur et des Transports.",
                "À l'aéroport, de hauts responsables et des membres du corps diplomatique l'ont saluée et "
                "ont souhaité le succès de cette visite, appelant à une coopération plus étroite.",
            ],
        ),
        (
            "Les agriculteurs préparent les semis de printemps",
            [
                "Dans tout le pays, les exploitations accélèrent les préparatifs des semis de printemps : "
                "réparation des machines, transport des engrais vers les champs et préparation des "
                "pépinières.",
                "Selon les responsables agricoles, la surface déjà prête dépasse celle de la saison "
                "précédente au même stade, grâce à de nouveaux canaux d'irrigation achevés pendant l'hiver.",
                "Des chercheurs ont été envoyés dans les principales régions céréalières pour conseiller "
                "les agriculteurs sur le choix des semences et la protection des jeunes plants contre le "
                "gel.",
            ],
        ),
    ],
    "es": [
        (
            "Una delegación gubernamental parte de visita oficial al sudeste asiático",
            [
                "Una delegación gubernamental salió de la capital en avión para realizar una visita "
                "oficial a varios países del sudeste asiático, donde mantendrá conversaciones sobre "
                "comercio, transporte e intercambios culturales.",
                "La delegación está encabezada por el ministro de Relaciones Económicas Exteriores e "
                "incluye a funcionarios de los ministerios de Comercio Exterior y de Transporte.",
                "En el aeropuerto la despidieron altos funcionarios y miembros del cuerpo diplomático, que "
                "desearon éxito a la visita y pidieron una cooperación más estrecha.",
            ],
        ),
        (
            "Los agricultores preparan la siembra de primavera",
            [
                "Las explotaciones de todo el país aceleran los preparativos de la siembra de primavera: "
                "reparan maquinaria, llevan fertilizantes a los campos y preparan los semilleros.",
                "Según los responsables del sector, la superficie ya preparada supera a la de la campaña "
                "anterior en la misma fase, gracias a nuevos canales de riego terminados durante el "
                "invierno.",
                "Investigadores agrícolas recorren las principales regiones cerealistas para asesorar "
                "sobre la elección de semillas y la protección de las plantas jóvenes frente a las heladas "
                "tardías.",
            ],
        ),
    ],
    "ar": [
        (
            "وفد حكومي يتوجه في زيارة رسمية إلى دول جنوب شرق آسيا",
            [
                "غادر وفد حكومي العاصمة جوا متوجها في زيارة رسمية إلى عدد من دول جنوب شرق آسيا، يجري "
                "خلالها محادثات حول التجارة والنقل والتبادل الثقافي.",
                "ويترأس الوفد وزير العلاقات الاقتصادية الخارجية، ويضم مسؤولين من وزارتي التجارة الخارجية "
                "والنقل.",
                "وكان في وداع الوفد في المطار عدد من كبار المسؤولين وأعضاء السلك الدبلوماسي الذين تمنوا "
                "للزيارة النجاح ودعوا إلى تعاون أوثق في المرحلة المقبلة.",
            ],
        ),
        (
            "المزارعون يستعدون لموسم الزراعة الربيعي",
            [
                "تتسارع في المزارع في مختلف أنحاء البلاد الاستعدادات لموسم الزراعة الربيعي، من إصلاح "
                "الآلات ونقل الأسمدة إلى الحقول وتجهيز المشاتل.",
                "وقال مسؤولون زراعيون إن المساحة التي جرى تجهيزها حتى الآن تفوق مثيلتها في الموسم الماضي، "
                "بفضل قنوات ري جديدة أنجزت خلال فصل الشتاء.",
                "وأوفد باحثون من مراكز البحوث الزراعية إلى مناطق إنتاج الحبوب الرئيسية لتقديم المشورة حول "
                "اختيار البذور وحماية النباتات الصغيرة من الصقيع المتأخر.",
            ],
        ),
    ],
}

# Teasers beside an article, in its language, with no date in them.
TEASERS = {
    "en": (
        "Rail link to the border reopens",
        "Museum marks anniversary with new exhibition",
        "Weather: rain",
    ),
    "ko": ("국경 철도 운행 재개", "박물관 새 전시회 개막", "날씨: 전국에 비"),
    "ru": ("Возобновлено железнодорожное сообщение", "Музей открыл новую выставку", "Погода: дожди"),
    "zh": ("边境铁路恢复通车", "博物馆推出新展览", "天气：全国大部有雨"),
    "ja": ("国境の鉄道が運行再開", "博物館で新しい展示始まる", "天気：全国的に雨"),
    "de": ("Bahnstrecke zur Grenze wieder offen", "Museum zeigt neue Ausstellung", "Wetter: Regen"),
    "fr": ("La ligne ferroviaire rouvre", "Le musée inaugure une exposition", "Météo : pluie"),
    "es": ("Reabre la línea ferroviaria", "El museo inaugura una exposición", "El tiempo: lluvia"),
    "ar": ("إعادة افتتاح خط السكك الحديدية", "المتحف يفتتح معرضا جديدا", "الطقس: أمطار"),
}
