//! The Brazilian Portuguese catalog: every message of [`Error`] and
//! [`Problem`] a person reads in pt-BR.

use super::{join, Error, Expected, Problem, Shown};
use crate::account::Redemption;
use crate::lang::Lang;

/// The message of `error`.
pub(super) fn error(error: &Error) -> String {
    let lang = Lang::PtBr;
    match error {
            Error::Invalid { field, problem } => {
                format!("{field}: {}", problem.message(lang))
            }
            Error::MalformedJson {
                field,
                detail,
                line,
                column,
            } => format!("{field}: JSON inválido: {detail} (linha {line}, coluna {column})"),
            Error::NonexistentLocalTime {
                local,
                zone,
                before,
                after,
            } => format!(
                "{local} não existe em {zone}: o relógio salta do deslocamento {before} para {after}"
            ),
            Error::AmbiguousLocalTime {
                local,
                zone,
                before,
                after,
            } => format!(
                "{local} é ambíguo em {zone}: acontece com o deslocamento {before} e de novo com {after}"
            ),
            Error::LocalTimeOutOfRange { local, zone } => {
                format!("{local} em {zone} está fora dos anos que o sistema atende (1900 a 2099)")
            }
            Error::OutsideWorkingHours {
                shown: Some(s), ..
            } => format!("{} não trabalha {}", s.who, when(s)),
            Error::OutsideWorkingHours { staff, span, .. } => {
                format!("{staff} não trabalha durante todo o período {span}")
            }
            Error::Blocked {
                shown: Some(s), ..
            } => format!("{} não atende {} (horário bloqueado)", s.who, when(s)),
            Error::Blocked {
                staff, block, span, ..
            } => format!("{staff} está bloqueado por {block} durante {span}"),
            Error::SlotTaken {
                shown: Some(s), ..
            } => format!("{} já tem um horário {}", s.who, when(s)),
            Error::SlotTaken {
                staff,
                bookings,
                capacity,
                ..
            } => format!(
                "{staff} está com a agenda cheia nesse horário: {} já ocupam {capacity} vaga(s)",
                join(bookings)
            ),
            Error::CurrencyMismatch { expected, found } => {
                format!("valores em {expected} e {found} não podem ser misturados")
            }
            Error::IllegalTransition { status, action, .. } => format!(
                "este agendamento está {} e não pode {}",
                status.label(lang),
                action.label(lang)
            ),
            Error::NotStartedYet { action, .. } => format!(
                "este agendamento ainda não começou; não é possível {} antes do horário",
                action.label(lang)
            ),
            Error::DepositNotPaid { required, paid, .. } => format!(
                "este agendamento precisa de um sinal de {} para ser confirmado; foi pago {}",
                required.shown(lang),
                paid.shown(lang)
            ),
            Error::IllegalPaymentTransition { status, action, .. } => format!(
                "este pagamento está {} e não pode ser {}",
                status.label(lang),
                action.label(lang)
            ),
            Error::RefundTooLarge {
                requested,
                refundable,
                ..
            } => format!(
                "restam {} deste pagamento para reembolsar; foi pedido {}",
                refundable.shown(lang),
                requested.shown(lang)
            ),
            Error::AlreadyPaid { receivable, at } => {
                format!("a conta a receber {receivable} já foi paga em {at}")
            }
            Error::NotDead { message, status } => {
                let status = match *status {
                    "pending" => "ainda está na fila",
                    _ => "já foi enviada",
                };
                format!("a mensagem {message} {status}: só se reenvia uma mensagem que foi abandonada")
            }
            Error::NotFound { record, id } => {
                format!("{} {id} não encontrado(a)", record.label(lang))
            }
            Error::AlreadyExists { record, id } => {
                format!("{} {id} já existe", record.label(lang))
            }
            Error::LastOwner { .. } => {
                "esta conta é a última dona ativa do negócio; adicione outro dono antes".to_owned()
            }
            Error::NoResourceOfKind { kind } => {
                format!("não há recurso ativo do tipo \"{kind}\"")
            }
            Error::Retired { record, id } => {
                format!("{} {id} está desativado(a)", record.label(lang))
            }
            Error::SlugTaken { slug } => {
                format!("o endereço público \"{slug}\" já está em uso")
            }
            Error::EmailTaken { email } => {
                format!("já existe uma conta com o e-mail {email}")
            }
            Error::SessionEnded { session, why } => format!(
                "a sessão {session} foi encerrada ({})",
                match why {
                    Redemption::Expired => "expirou; entre novamente",
                    Redemption::Reused => {
                        "um token antigo foi reapresentado, então a sessão foi encerrada por segurança"
                    }
                    Redemption::Revoked | Redemption::Current => "entre novamente",
                }
            ),
            Error::ServiceNotPerformed {
                professional,
                service,
            } => format!("o profissional {professional} não realiza o serviço {service}"),
            Error::SeriesClashes { clashes, moving } => format!(
                "{} ocorrência(s) da série não podem ser {}, então nenhuma foi: {}",
                clashes.len(),
                if *moving { "remarcadas" } else { "agendadas" },
                clashes
                    .iter()
                    .map(|c| c.message(lang))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            Error::NotInSeries { booking } => {
                format!("o agendamento {booking} não faz parte de uma série")
            }
            Error::IdempotencyKeyReused { key } => {
                format!("a chave de idempotência \"{key}\" já foi usada para outra requisição")
            }
            Error::Busy { retry_after } => format!(
                "o servidor está ocupado; tente novamente em {retry_after} segundos"
            ),
            Error::Forbidden { actor, action } => format!(
                "{} não pode {}",
                crate::agenda::permission::actor_label(actor, lang),
                action.describe(lang)
            ),
            Error::TooManyAttempts { retry_after } => {
                format!("tentativas demais; tente novamente em {retry_after} segundos")
            }
            Error::WriteConflict => {
                "uma alteração simultânea interferiu; tente novamente".to_owned()
            }
            Error::Storage { .. } => {
                "o armazenamento falhou; tente novamente em instantes".to_owned()
            }
    }
}

/// The description of `problem`.
pub(super) fn problem(problem: &Problem) -> String {
    let lang = Lang::PtBr;
    match problem {
            Problem::Empty => "não pode ser vazio".to_owned(),
            Problem::TooLong { len, max } => {
                format!("tem {len} caracteres; o máximo permitido é {max}")
            }
            Problem::ControlCharacter { code, position } => {
                format!("tem um caractere de controle (U+{code:04X}) no caractere {position}")
            }
            Problem::TooMany { count, max } => {
                format!("tem {count} itens; o máximo permitido é {max}")
            }
            Problem::Negative { value } => format!("não pode ser negativo; recebido {value}"),
            Problem::BelowMinimum { value, min } => {
                format!("deve ser no mínimo {min}; recebido {value}")
            }
            Problem::AboveMaximum { value, max } => {
                format!("deve ser no máximo {max}; recebido {value}")
            }
            Problem::UnknownZone { name } => format!(
                "fuso horário desconhecido \"{name}\" (esperado um nome IANA como America/Sao_Paulo)"
            ),
            Problem::BadTime { value } => {
                format!("\"{value}\" não é um horário (esperado HH:MM de 00:00 a 24:00)")
            }
            Problem::BadDate { value } => {
                format!("\"{value}\" não é uma data (esperado AAAA-MM-DD entre os anos 1 e 9999)")
            }
            Problem::BadInstant { value } => format!(
                "\"{value}\" não é um instante RFC 3339 com deslocamento, como 2026-03-01T12:00:00Z"
            ),
            Problem::WindowNotIncreasing { start, end } => {
                format!("o fim {end} não é depois do início {start}")
            }
            Problem::SpanNotIncreasing { start, end } => {
                format!("o fim {end} não é depois do início {start}")
            }
            Problem::RangeReversed { from, to } => {
                format!("{to} é anterior ao início do intervalo, {from}")
            }
            Problem::RangeTooLong { days, max } => {
                format!("o intervalo cobre {days} dias; o máximo permitido é {max}")
            }
            Problem::Duplicate { value } => format!("\"{value}\" aparece mais de uma vez"),
            Problem::TooMuchWork { candidates, max } => format!(
                "a consulta poderia examinar até {candidates} horários candidatos; o máximo \
                 permitido é {max} (encurte o período, aumente step_minutes ou consulte menos \
                 profissionais)"
            ),
            Problem::BadId { value } => format!(
                "\"{value}\" não é um identificador (esperado um UUID como 67e55044-10b1-426f-9247-bb680e5fe0c8)"
            ),
            Problem::UnknownCurrency { code } => format!(
                "moeda desconhecida \"{code}\" (esperado um código ISO 4217 com centavos, como BRL)"
            ),
            Problem::TooManyDecimals {
                value,
                currency,
                digits,
            } => format!("{value} tem mais que as {digits} casa(s) decimais que {currency} permite"),
            Problem::AmountTooLarge { value, max } => {
                format!("deve ser no máximo {max} em valor absoluto; recebido {value}")
            }
            Problem::AmountTooPrecise { value, max } => format!(
                "{value} tem mais que as {max} casas decimais que um valor exato comporta"
            ),
            Problem::BadAmount { value } => format!(
                "\"{value}\" não é um valor (esperado um número decimal com ponto, como 45.90)"
            ),
            Problem::NotWholeNumber { value } => format!("\"{value}\" não é um número inteiro"),
            Problem::NoContact => "informe um e-mail ou um telefone".to_owned(),
            Problem::NotPositive { value } => format!("deve ser maior que zero; recebido {value}"),
            Problem::PercentOutOfRange { value } => format!(
                "{value} não é uma porcentagem de 0 a 100 com no máximo 4 casas decimais"
            ),
            Problem::DiscountExceedsPrice { discount, price } => format!(
                "um desconto de {} é maior que o preço, {}",
                discount.shown(lang),
                price.shown(lang)
            ),
            Problem::FeeBelowEarlierTier { fee, earlier } => format!(
                "a taxa {fee} é menor que {earlier}, a taxa com mais antecedência: cancelar mais tarde não pode custar menos"
            ),
            Problem::BadEmail { value } => format!("\"{value}\" não é um e-mail"),
            Problem::BadPhone { value } => format!(
                "\"{value}\" não é um telefone (esperado um número brasileiro com DDD, como (11) 91234-5678, ou + código do país e número)"
            ),
            Problem::BadTaxId { value } => {
                format!("\"{value}\" não é um CPF ou CNPJ válido (confira os dígitos)")
            }
            Problem::UnknownValue { value, expected } => {
                format!("\"{value}\" não é um destes valores: {expected}")
            }
            Problem::InThePast { value, now } => {
                format!("{value} está no passado (agora é {now})")
            }
            Problem::HeldSpanTooShort => {
                "o período reservado deve conter o atendimento".to_owned()
            }
            Problem::BadRecurrence { fault } => fault.message(lang),
            Problem::OutsideSupportedYears { value } => {
                format!("{value} está fora dos anos que o sistema atende (1900 a 2099)")
            }
            Problem::BadIdempotencyKey { value } => {
                format!("\"{value}\" só pode ter caracteres ASCII visíveis")
            }
            Problem::OtherClient => "pertence a outro cliente".to_owned(),
            Problem::TooShort { len, min } => {
                format!("tem {len} caracteres; são necessários pelo menos {min}")
            }
            Problem::WeakPassword => {
                "é fácil demais de adivinhar: evite caracteres repetidos, seu e-mail e senhas comuns"
                    .to_owned()
            }
            Problem::BadHash => "não é um hash no formato esperado".to_owned(),
            Problem::Required => "é obrigatório".to_owned(),
            Problem::Unfit { expected } => match expected {
                Expected::AwareDateTime => "esperava data e hora com fuso horário (um datetime com fuso, como um com ZoneInfo(\"America/Sao_Paulo\"))".to_owned(),
                Expected::LocalDateTime => "esperava data e hora locais sem fuso: o horário no fuso do negócio".to_owned(),
                Expected::Date => "esperava uma data, como 2026-03-02".to_owned(),
                Expected::Amount => "esperava um valor exato (Decimal, int ou texto decimal); float não é dinheiro exato".to_owned(),
                Expected::TextKeys => "tem uma chave que não é texto".to_owned(),
                Expected::Text => "não é texto Unicode válido".to_owned(),
            },
            Problem::WrongKind { found } => format!("não pode ser {found}"),
            Problem::OutOfRange => "está fora do intervalo".to_owned(),
            Problem::NotAnImage => "não é uma imagem PNG, JPEG ou WebP".to_owned(),
            Problem::FileTooLarge { bytes, max } => format!("tem {} KB, mais que os {} KB permitidos", bytes.div_ceil(1024), max / 1024),
            Problem::TooManyPixels { width, height, max_side, max_pixels } => format!("tem {width} x {height} pixels; são aceitos no máximo {max_side} de lado e {} megapixels", max_pixels / 1_000_000),
            Problem::BadColour { value } => format!("\"{value}\" não é uma cor (use #RRGGBB, como #1A7F3C)"),
            Problem::BadCursor => "não é um cursor que esta lista deu (foi alterado, cortado ou é de outra lista); comece de novo sem ele".to_owned(),
            Problem::UnknownVariable { name, known } => format!("usa {{{{{name}}}}}, que esta mensagem não tem (ela tem: {known})"),
            Problem::UnclosedVariable => "abre uma variável com {{ e não a fecha com }}".to_owned(),
            Problem::ExpiredLink => "não é um link que este servidor enviou, ou expirou (links valem uma vez, por uma hora): peça um novo".to_owned(),
            Problem::TooLarge { max } => format!("é grande demais (no máximo {max})"),
            Problem::TooDeep { max } => {
                format!("está aninhado demais (mais de {max} listas e mapas)")
            }
            Problem::Unreadable { detail } => format!("não pode ser lido: {detail}"),
            Problem::BadSlug { value } => format!(
                "\"{value}\" não é um endereço público (use de 3 a 63 letras minúsculas, dígitos e hifens internos, como salao-da-ana)"
            ),
    }
}

/// When a conflict's appointment starts, in the business's zone.
fn when(shown: &Shown) -> String {
    crate::time::shown(shown.start, shown.zone, Lang::PtBr)
}
