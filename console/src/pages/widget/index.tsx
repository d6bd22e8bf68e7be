/** The Widget page (a lazily loaded chunk). */
import type { PageProps } from '../types'
import { WidgetSettings } from './preview'

export default function WidgetPage({ tenantId }: PageProps) {
  return <WidgetSettings key={tenantId} tenantId={tenantId} />
}
